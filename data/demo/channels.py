"""Each channel's shape around the customer's words: an email with signature and quoted reply, a web form with its
fields, a public social post, a review with stars; conversations are in `conversation`. `build` picks the shape.
"""

from __future__ import annotations

import random

from claimtriage.data.demo.catalog import CONFUSABLE
from claimtriage.data.demo.conversation import Content, conversation, noisy
from claimtriage.data.demo.identity import IdentityFlags
from claimtriage.data.demo.journeys import ContactPlan
from claimtriage.data.demo.render import Message, fill, phrases, stop
from claimtriage.data.schema import Attachment, AttachmentKind, CustomerIdentifiers


def _email(rng: random.Random, plan: ContactPlan, msg: Message, s: dict[str, str], flags: IdentityFlags, switch: bool,
           reply_to: ContactPlan | None, subject: str | None) -> Content:
    P = phrases(plan.person.lang)
    words = noisy(rng, plan, "\n\n".join(_paragraphs(msg)), switch)
    parts = [fill(rng, P.GREET_FORMAL, s), words, f"{rng.choice(P.SIGN_OFF)},\n{s['name']}"]
    # most people sign with a number or quote their customer code; a few give nothing to go on
    signed = flags.work_email or rng.random() < 0.6
    if signed:
        parts[-1] += f"\n{rng.choice(('Cell. ', 'Tel. ', 'Mob. ', ''))}{s['phone_text']}"
    if rng.random() < (0.5 if signed else 0.85) and s["customer_code"] not in words:
        parts[-1] += f"\n{P.FORM_LABELS['code']}: {s['customer_code']}"
    if rng.random() < 0.15:
        parts.append(rng.choice(P.MOBILE_SIG))
    if rng.random() < 0.08:
        parts.append(rng.choice(P.DISCLAIMER))
    if reply_to is not None and rng.random() < 0.7:
        when = f"{reply_to.time:%d/%m/%Y %H:%M}"
        quoted = "\n".join(f"> {line}" for line in fill(rng, P.AGENT_EMAIL, s).splitlines())
        parts.append(fill(rng, P.QUOTE_HEADER, {**s, "when": when}) + "\n" + quoted)
    out = Content(subject=subject or fill(rng, P.SUBJECT[plan.claim.claim], s), body="\n\n".join(parts),
                  customer_chars=len(words))
    claim = plan.claim.claim
    if claim in ("billing_dispute", "refund") and rng.random() < 0.3:
        out.attachments.append(Attachment(kind=AttachmentKind.file, name=f"fattura_{s['invoice']}.pdf"))
    elif claim in ("technical_fault", "delivery_installation") and rng.random() < 0.2:
        out.attachments.append(Attachment(kind=AttachmentKind.image, name=f"IMG_{rng.randint(1000, 9999)}.jpg"))
    return out


def _paragraphs(msg: Message) -> list[str]:
    if len(msg.sentences()) <= 3:
        return [msg.text()]
    parts = (msg.opening, msg.history, msg.body, msg.closing)
    return [p for p in (" ".join(map(stop, part)) for part in parts) if p]


def _web_form(rng: random.Random, plan: ContactPlan, msg: Message, s: dict[str, str], ids: CustomerIdentifiers,
              switch: bool) -> Content:
    P, claim = phrases(plan.person.lang), plan.claim.claim
    roll = rng.random()  # customers pick the wrong category, or "Other", quite often
    category = (P.FORM_CATEGORY[claim] if roll < 0.72 else P.FORM_OTHER if roll < 0.88
                else P.FORM_CATEGORY[rng.choice(CONFUSABLE[claim])])
    L = P.FORM_LABELS
    lines = [f"{L['first']}: {plan.person.first}", f"{L['last']}: {plan.person.last}", f"{L['email']}: {ids.email}"]
    if ids.phone:
        lines.append(f"{L['phone']}: {ids.phone}")
    if ids.customer_id:
        lines.append(f"{L['code']}: {ids.customer_id}")
    if ids.other.get("pod"):
        lines.append(f"{L['pod']}: {ids.other['pod']}")
    lines.append(f"{L['category']}: {category}")
    if claim in ("billing_dispute", "refund") and rng.random() < 0.5:
        lines.append(f"{L['invoice']}: {s['invoice']}")
    words = noisy(rng, plan, msg.text(), switch)
    lines += [f"{L['message']}: {words}", L["privacy"]]
    return Content(subject=category, body="\n".join(lines), customer_chars=len(words))


def _public(rng: random.Random, plan: ContactPlan, msg: Message, s: dict[str, str], switch: bool) -> Content:
    """A public post or reply on social media: short, tagged, often angry."""
    P, text = phrases(plan.person.lang), msg.sentences()
    post = " ".join(text[:3]) if len(" ".join(text[:3])) < 260 else " ".join(text[:2])
    post = f"{s['handle']} {post} {rng.choice(P.SOCIAL_TAIL)}".strip()
    if rng.random() < 0.5:
        post += " " + " ".join(rng.sample(P.HASHTAGS, rng.randint(1, 2)))
    post = noisy(rng, plan, post, switch)
    out = Content(body=post, customer_chars=len(post))
    if rng.random() < 0.15:
        out.attachments.append(Attachment(kind=AttachmentKind.image, name="screenshot.png"))
    return out


def _review(rng: random.Random, plan: ContactPlan, msg: Message, s: dict[str, str], switch: bool) -> Content:
    P = phrases(plan.person.lang)
    rating = {"angry": 1, "frustrated": rng.choice((1, 2, 2, 3)), "calm": rng.choice((2, 3, 3, 3)),
              "thankful": rng.choice((4, 5, 5))}[plan.tone]
    title, verdict = ((P.REVIEW_TITLE_NEG, P.REVIEW_NEG) if rating <= 2 else (P.REVIEW_TITLE_MID, P.REVIEW_MID)
                      if rating == 3 else (P.REVIEW_TITLE_POS, P.REVIEW_POS))
    if rating == 2:  # "one star because zero is not possible" only goes with one star
        verdict = tuple(v for v in verdict if "stell" not in v and "star" not in v)
    opener = fill(rng, P.REVIEW_OPEN, s) if plan.length != "long" else ""  # long ones introduce themselves
    words = " ".join([opener, msg.text(), fill(rng, verdict, s)]).strip()
    words = noisy(rng, plan, words, switch)
    return Content(subject=rng.choice(title), body=words, rating=float(rating), customer_chars=len(words))


def build(rng: random.Random, plan: ContactPlan, msg: Message, s: dict[str, str], ids: CustomerIdentifiers,
          flags: IdentityFlags, reply_to: ContactPlan | None, subject: str | None) -> Content:
    """The channel's content for this contact."""
    switch = rng.random() < (0.2 if plan.person.lang == "it" else 0.35)
    if plan.channel == "email":
        return _email(rng, plan, msg, s, flags, switch, reply_to, subject)
    if plan.channel == "web_form":
        return _web_form(rng, plan, msg, s, ids, switch)
    if plan.channel == "review":
        return _review(rng, plan, msg, s, switch)
    if plan.channel == "social" and not flags.dm:
        return _public(rng, plan, msg, s, switch)
    return conversation(rng, plan, msg, s, flags, switch)
