"""The brands customers write to, each with its own customer-code format.

The corpus is one contact centre serving several commercial brands of one group (energy, fibre, mobile), so no
model can learn "in scope" from a brand name or from one code format. The group answers from one service domain
(`SERVICE_DOMAIN`), which is the only company domain quoted in customers' email replies. A brand's canonical code
is what channels pass as `customer_id`; customers write it with spaces, dashes, lower case or digits only.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

SERVICE_DOMAIN = "lumina-et.it"


@dataclass(frozen=True)
class Brand:
    name: str
    short: str
    handle: str
    bot: str
    prefix: str  # letters of the customer code
    digits: int  # digits after the prefix
    suffix_letter: bool = False  # a check letter after the digits
    share: int = 1  # how many of the customers are this brand's


BRANDS: tuple[Brand, ...] = (
    Brand("Lumina Energia & Telco", "Lumina", "@LuminaET", "Lumi", "LMN", 7, share=4),
    Brand("Aurora Luce e Gas", "Aurora", "@AuroraLuceGas", "Aura", "AU", 8, share=2),
    Brand("Vela Telecomunicazioni", "Vela", "@VelaTLC", "Vi", "CL", 8, share=2),
    Brand("Terranova Energia", "Terranova", "@TerranovaEnergia", "Nova", "TN", 6, suffix_letter=True, share=1),
    Brand("Fibrazzurra", "Fibrazzurra", "@fibrazzurra", "Azzurra", "FZ", 8, share=1),
    Brand("Solaria Casa", "Solaria", "@SolariaCasa", "Sole", "SOL", 6, share=1),
)
BY_SHORT = {b.short: b for b in BRANDS}
#: every brand's code as customers write it (for deployment files and tests that mine codes from text)
CODE_PATTERN = r"\b(?:" + "|".join(
    rf"{b.prefix}[\s\-]?\d{{{b.digits // 2}}}[\s\-]?\d{{{b.digits - b.digits // 2}}}" + ("[A-Z]" if b.suffix_letter else "")
    for b in BRANDS) + r")\b"


def draw_brand(rng: random.Random) -> Brand:
    return rng.choices(BRANDS, weights=[b.share for b in BRANDS])[0]


def new_code(rng: random.Random, brand: Brand) -> str:
    """A canonical customer code of `brand`: prefix, digits, maybe a check letter (LMN4821937, TN482193K)."""
    digits = f"{rng.randint(10 ** (brand.digits - 1), 10 ** brand.digits - 1)}"
    return brand.prefix + digits + (rng.choice("ABCDEFHKLMPRT") if brand.suffix_letter else "")


def code_variant(rng: random.Random, code: str) -> str:
    """The customer code as typed or dictated: LMN4821937, lmn 4821937, LMN-4821937, AU 1234 5678 or the digits."""
    prefix = re.match(r"[A-Z]+", code).group(0)  # type: ignore[union-attr]
    rest = code[len(prefix):]
    half = len(rest) // 2
    if prefix == "LMN":  # the original brand keeps its original writings
        return rng.choice((code, code, f"LMN {rest}", f"lmn{rest}", f"LMN-{rest}", rest))
    return rng.choice((code, code, f"{prefix} {rest}", f"{prefix.lower()}{rest}", f"{prefix}-{rest}",
                       f"{prefix} {rest[:half]} {rest[half:]}", rest))
