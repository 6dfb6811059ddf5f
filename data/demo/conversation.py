"""Conversations: call transcripts (IVR, fillers, identity checks, transfers), chats that start with the bot,
WhatsApp and SMS bubbles and voice notes, social DMs.

The agent and bot turns agree with the plan: a bot answer only where the bot settled the contact, a case number
where an agent opened one, a dropped call, an abandoned chat or silence where nothing was solved.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from claimtriage.data.demo import noise
from claimtriage.data.demo.catalog import AGENTS_EN, AGENTS_IT
from claimtriage.data.demo.identity import IdentityFlags
from claimtriage.data.demo.journeys import ContactPlan
from claimtriage.data.demo.render import TEMPLATES, Message, fill, phrases
from claimtriage.data.demo.slots import spoken_digits
from claimtriage.data.schema import Attachment, AttachmentKind, Speaker, Turn

TYPO_RATE = {"email": 0.008, "web_form": 0.012, "review": 0.015, "chat": 0.03, "whatsapp": 0.04, "sms": 0.05,
             "messaging": 0.03,
             "social": 0.03, "phone": 0.0}


@dataclass
class Content:
    """What the channel puts into the Contact, besides identifiers and labels."""

    subject: str | None = None
    body: str | None = None
    turns: list[Turn] | None = None
    attachments: list[Attachment] = field(default_factory=list)
    rating: float | None = None
    transfers: int = 0
    customer_chars: int = 0


def noisy(rng: random.Random, plan: ContactPlan, text: str, switch: bool, decorate: bool = True) -> str:
    """The channel's noise on the customer's words: code-switching, then fillers (calls) or typos, phone-style
    writing and emojis (messaging)."""
    lang, channel = plan.person.lang, plan.channel
    if switch:
        text = noise.code_switch(rng, text, lang)
    if channel == "phone":
        return noise.add_fillers(rng, text, lang)
    text = noise.typos(rng, text, TYPO_RATE[channel])
    if channel in ("chat", "whatsapp", "sms", "social", "messaging"):
        text = noise.phone_style(rng, text, lang)
        if decorate and rng.random() < (0.55 if plan.tone in ("angry", "thankful") else 0.2):
            text = noise.emojis(rng, text, plan.tone)
    return text


class _Turns:
    """Turns with plausible times: each one a few seconds to a minute after the previous."""

    def __init__(self, rng: random.Random, plan: ContactPlan, gap: tuple[float, float]) -> None:
        self.rng, self.time, self.gap, self.turns = rng, plan.time, gap, []

    def add(self, speaker: Speaker, text: str) -> None:
        if text.strip():
            self.turns.append(Turn(speaker=speaker, text=text, time=self.time))
            self.time += timedelta(seconds=round(self.rng.uniform(*self.gap)))


def _outcome_turns(rng: random.Random, plan: ContactPlan, t: _Turns, s: dict[str, str],
                   say: Callable[[str], None]) -> None:
    """How the human part ends: a fix, a case number, or nothing."""
    P = phrases(plan.person.lang)
    if plan.kind == "thanks":
        t.add(Speaker.agent, fill(rng, P.AGENT_CLOSE, s))
    elif plan.resolved_by == "agent" and plan.is_last:
        t.add(Speaker.agent, P.AGENT_ACTION[plan.claim.claim].format_map(s)[:1].upper()
              + P.AGENT_ACTION[plan.claim.claim].format_map(s)[1:] + ".")
        say(rng.choice(P.END_CALM if plan.tone in ("calm", "thankful") else P.END_ANGRY))
        t.add(Speaker.agent, fill(rng, P.AGENT_CLOSE, s))
    elif plan.resolved_by == "agent":
        t.add(Speaker.agent, fill(rng, P.AGENT_TICKET, s))
        say(rng.choice(P.END_CALM if plan.tone == "calm" else P.END_ANGRY))
    elif plan.channel == "phone" and rng.random() < 0.4:
        t.add(Speaker.system, P.SYSTEM_DROP)
    elif plan.channel == "chat" and rng.random() < 0.4:
        t.add(Speaker.system, P.SYSTEM_LEFT)
    else:
        t.add(Speaker.agent, fill(rng, P.AGENT_FAIL, s))
        say(rng.choice(P.END_ANGRY))


def conversation(rng: random.Random, plan: ContactPlan, msg: Message, s: dict[str, str], flags: IdentityFlags,
                 switch: bool) -> Content:
    """Phone, chat, WhatsApp, SMS and social DMs: who speaks when."""
    P, ch = phrases(plan.person.lang), plan.channel
    t = _Turns(rng, plan, (20, 300) if ch in ("whatsapp", "sms", "messaging") else (4, 45))
    out = Content()
    said: list[str] = []

    def say(text: str, decorate: bool = False) -> None:
        text = noisy(rng, plan, text, switch, decorate)
        said.append(text)
        t.add(Speaker.customer, text)

    sentences = msg.sentences()
    bot_first = ch == "chat" or plan.resolved_by == "bot" or (ch == "phone" and rng.random() < 0.5)
    bot_done = plan.resolved_by == "bot"
    greeted = False
    if bot_first and ch in ("chat", "phone"):
        t.add(Speaker.bot, fill(rng, P.BOT_GREET if ch == "chat" else P.IVR_WELCOME, s))
    elif ch == "phone":
        t.add(Speaker.agent, fill(rng, P.AGENT_GREET, s))
        greeted = True
    head = sentences[: 1 if len(sentences) > 2 else len(sentences)]
    tail = sentences[len(head):]
    if ch == "whatsapp" and rng.random() < 0.12:  # a voice note: the words live in its transcript
        secs = rng.randint(8, 70)
        out.attachments.append(Attachment(kind=AttachmentKind.voice_note, name=f"PTT-{secs}s.opus",
                                          transcript=noise.add_fillers(rng, msg.text(), plan.person.lang)))
        t.add(Speaker.customer, f"🎤 {'Messaggio vocale' if plan.person.lang == 'it' else 'Voice message'} "
                                f"(0:{secs:02d})")
        head, tail = [], []
    elif ch in ("whatsapp", "sms", "social", "messaging"):
        for i, part in enumerate(sentences):
            say(part, decorate=i == len(sentences) - 1)
        head, tail = [], []
    else:
        say(" ".join(head), decorate=True)
    if ch == "whatsapp" and rng.random() < 0.15:  # a photo of the bill (with its OCR) or of the router
        bill = plan.claim.claim in ("billing_dispute", "refund", "information_request")
        ocr = f"{s['brand'].upper()} - {s['invoice']} - {s['amount']}" if bill else None
        out.attachments.append(Attachment(kind=AttachmentKind.image, name=f"IMG-{rng.randint(10**7, 10**8 - 1)}.jpg",
                                          transcript=ocr))
        t.add(Speaker.customer, "📷 Foto" if plan.person.lang == "it" else "📷 Photo")
    if bot_done:
        if flags.verified:
            t.add(Speaker.bot, rng.choice(P.BOT_ID if ch != "phone" else P.IVR_ID))
            say(s["customer_code"] if ch != "phone" or rng.random() < 0.7
                else _spoken_code(s["customer_code"], plan.person.lang))
        answer = P.BOT_ANSWER.get(plan.claim.subtype.name) if plan.kind != "thanks" else None
        t.add(Speaker.bot, answer.format_map(s) if answer else fill(rng, P.BOT_CLOSE, s))
        say(rng.choice(P.END_CALM if ch == "phone" else P.CUSTOMER_OK))
        if ch in ("chat", "whatsapp", "messaging"):
            t.add(Speaker.bot, fill(rng, P.BOT_CLOSE, s))
        return _finish(out, t, said)
    # a standard request that still went to a person: often because the customer asked for one
    wants_human = plan.claim.subtype.bot_rate >= 0.5 and rng.random() < 0.6
    if ch == "chat" or (ch == "phone" and bot_first):
        if wants_human or (ch == "chat" and rng.random() < 0.25):
            if ch == "chat":
                t.add(Speaker.bot, rng.choice(P.BOT_FAIL))
            say(rng.choice(P.ASK_HUMAN))
        t.add(Speaker.bot, rng.choice(P.BOT_HANDOFF if ch == "chat" else P.IVR_HANDOFF))
        if ch == "chat":
            t.add(Speaker.system, P.SYSTEM_JOIN.format_map(s))
            out.transfers = 1
    elif wants_human and ch in ("whatsapp", "sms", "messaging"):
        say(rng.choice(P.ASK_HUMAN))
    if ch in ("whatsapp", "sms", "messaging") and rng.random() < 0.4:
        t.add(Speaker.bot, rng.choice(P.BOT_AUTOREPLY))
    if ch in ("sms", "whatsapp", "messaging") and plan.resolved_by == "unresolved" and rng.random() < 0.5:
        return _finish(out, t, said)  # nobody answered
    if ch == "social":
        t.add(Speaker.agent, fill(rng, P.DM_ASK, s))
        say(fill(rng, P.DM_GIVE, s))
    elif not greeted:
        t.add(Speaker.agent, fill(rng, P.AGENT_GREET, s))
    if tail:
        for part in (tail if ch == "chat" else _chunks(rng, tail)):
            say(part)
    if flags.verified:
        t.add(Speaker.agent, rng.choice(P.AGENT_ID))
        answer = fill(rng, P.CUSTOMER_ID, s)
        if ch == "phone" and rng.random() < 0.25:
            answer = answer.replace(s["customer_code"], _spoken_code(s["customer_code"], plan.person.lang))
        say(answer)
    if plan.length == "long" or (ch == "phone" and rng.random() < 0.3):
        fibre_fault = plan.claim.claim == "technical_fault" and plan.claim.slots["service_key"] == "fibra"
        pairs = P.ASK_REPLY + (P.ASK_REPLY_FAULT if fibre_fault else ())
        for ask, reply in rng.sample(pairs, 4 if plan.length == "long" and fibre_fault else 2):
            t.add(Speaker.agent, ask)
            say(reply.format_map(s))
    if ch == "phone" and plan.resolved_by == "agent":
        for _ in range(rng.choices((0, 1, 2), weights=(65, 25, 10))[0]):
            t.add(Speaker.agent, P.AGENT_TRANSFER[0 if plan.claim.claim == "technical_fault" else 1])
            t.add(Speaker.system, P.SYSTEM_TRANSFER)
            agents = AGENTS_IT if plan.person.lang == "it" else AGENTS_EN
            colleague = rng.choice([a for a in agents if a != s["agent"]])
            t.add(Speaker.agent, fill(rng, P.AGENT_GREET, {**s, "agent": colleague}))
            say(fill(rng, _short_options(plan), s))
            out.transfers += 1
    _outcome_turns(rng, plan, t, s, say)
    return _finish(out, t, said)


def _chunks(rng: random.Random, sentences: list[str]) -> list[str]:
    """Group sentences into turns of one to three."""
    out, i = [], 0
    while i < len(sentences):
        k = rng.randint(1, 3)
        out.append(" ".join(sentences[i:i + k]))
        i += k
    return out


def _spoken_code(code: str, lang: str) -> str:
    return f"{code[:3]} {spoken_digits(code, lang)}" if code[:3].isalpha() else spoken_digits(code, lang)


def _short_options(plan: ContactPlan) -> tuple[str, ...]:
    return TEMPLATES[plan.person.lang].SHORT[plan.claim.subtype.name]


def _finish(out: Content, t: _Turns, said: list[str]) -> Content:
    out.turns = t.turns
    out.customer_chars = sum(len(x) for x in said)
    return out


