"""Deterministic generator of realistic synthetic customer-service calls, for benchmarks.

Each call has 20-80 turns alternating agent/customer, built from a built-in list of realistic
agent and customer sentences plus, when the shipped behaviour packs (``rules/*.yaml``) hold
phrases and examples, sentences using those; ASR filler speech ("um", "uh", "you know"),
order/account numbers, names, amounts and dates; per-turn timings.

Output is poise's native JSON: one call per line (``-o calls.jsonl``) or one ``.json`` file per
call (``-o DIR`` or ``--layout dir``)::

    python bench/generate.py --calls 1000 --seed 7 -o /tmp/calls.jsonl
    python bench/generate.py --calls 200 --seed 7 -o /tmp/calls/          # a folder of files

The same seed (and the same rule packs) always gives byte-identical output; ``--no-packs``
ignores the packs, for output that does not change when the packs do.

Density: 15% of sentences come from the packs (``--pack-share``) and about half of the
built-in ones are neutral process talk, so that the default packs fire about 6-7 times per 100
words - a little above the showcase calls in sample_transcripts/ (5.6 per 100 words), because
the matching work grows with the matches.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PACKS = ROOT / "rules"

# -- built-in vocabulary ----------------------------------------------------------------------
# Slots: {customer} {first} {agent} {company} {order} {account} {amount} {date} {days} {product}
# {ticket} {phone4} {zip}

AGENT_GREETINGS = [
    "Thank you for calling {company}, my name is {agent}, how can I help you today?",
    "Good morning and thanks for calling {company}. This is {agent} speaking, how may I help you?",
    "Hi, thanks for calling {company} support, you're speaking with {agent}. What can I do for you?",
    "Good afternoon, {company} customer care, this is {agent}. How can I help?",
    "Hello, you've reached the {team} team at {company}, my name is {agent}.",
]

AGENT_VERIFY = [
    "Before I pull up the account, can I get your full name please?",
    "Can you please verify the last four digits of the phone number on the account?",
    "For security, can you confirm your date of birth and the billing zip code?",
    "Could I have the account number, please? It starts with two letters.",
    "Thank you. And just to verify, is the zip code still {zip}?",
    "I just need to verify a couple of details before we get started.",
    "Can you spell your last name for me?",
    "Perfect, thank you {first}, you're verified.",
]

AGENT_MIDDLE = [
    "I'm sorry for the trouble with your order.",
    "I'm so sorry about the delay, that's not the experience we want you to have.",
    "I apologize for the inconvenience this has caused.",
    "I understand how frustrating that must be.",
    "I can hear how upsetting this has been, and I want to get it sorted for you.",
    "That makes sense, I'd be frustrated too.",
    "Let me pull up your account real quick.",
    "I can see order {order} here, it was placed on {date}.",
    "I'm looking at account {account} now.",
    "It looks like the package was marked delivered on {date}.",
    "So what I'm hearing is that you were charged twice for the same order, is that right?",
    "Just to make sure I understand, the {product} stopped working after {days} days?",
    "Let me make sure I have this right, you never received the replacement?",
    "I'm going to take care of this for you right now.",
    "I'll personally make sure this gets resolved today.",
    "What I can do is issue a refund of {amount} back to your original payment method.",
    "I've gone ahead and processed the refund, you should see it in three to five business days.",
    "I'm going to escalate this to our {team} team, and they'll call you back within {days} business days.",
    "I've opened ticket number {ticket} for this.",
    "Your reference number is {ticket}.",
    "Would it be okay if I place you on a brief hold while I check with my supervisor?",
    "Do you mind if I put you on hold for about two minutes?",
    "Thank you so much for holding, I really appreciate your patience.",
    "Thanks for waiting, I have an update for you.",
    "I see what happened here, the payment was applied to the wrong invoice.",
    "Unfortunately that item is out of stock until {date}.",
    "The good news is I can send a replacement out today at no charge.",
    "I can waive the late fee of {amount} as a one time courtesy.",
    "You'll receive a confirmation email within the next hour.",
    "The technician can come out on {date} between eight and noon, does that work?",
    "Can you try restarting the router for me and tell me what the lights are doing?",
    "Okay, so the light is blinking orange, which means it's not getting a signal.",
    "That's policy, there's nothing I can do about it.",
    "You should have read the terms before you signed up.",
    "Like I said before, the system doesn't allow that.",
    "That's not my department, you'll have to call billing.",
    "Calm down, sir, I'm trying to help you.",
    "I'm sorry you feel that way.",
    "I'm sorry if you were confused by the email.",
    "We can't do that, it's against our policy.",
    "It's not our fault, the carrier lost the package.",
    "The system must have glitched, that's on their end, not ours.",
    "Absolutely, I'd be happy to help with that.",
    "Great question, let me find out for you.",
    "I completely understand, and I'd want the same thing.",
    "Here's what's going to happen next: you'll get an email, then the credit posts in two cycles.",
    "As a next step, I'll send you a prepaid shipping label for the return.",
    "I've updated the shipping address to {street} for future orders.",
    "Your new balance is {amount}, and the next payment is due on {date}.",
    "That plan would be {amount} a month, with no contract.",
    "I can offer you a {pct} percent discount for the next six months if you stay with us.",
    "Let me transfer you to the right department, please stay on the line.",
    "I'm going to connect you with a specialist who can look at this in more detail.",
    "Is the email on file still {email}?",
    "Okay, I've sent a password reset link to that address.",
    "You're all set, the change is effective immediately.",
    "Mm-hmm.",
    "Okay.",
    "Right.",
    "Got it.",
    "Sure.",
    "One moment please.",
    "Bear with me while this loads.",
    # neutral process talk (most of a real call matches no behaviour)
    "So the order shows two items, the {product} and a charging cable.",
    "It was shipped from our warehouse in {city} on {date}.",
    "The tracking number ends in {phone4}.",
    "Your plan renews on the first of every month.",
    "The last payment we received was {amount} on {date}.",
    "That charge is the monthly service fee plus tax.",
    "The warranty covers parts and labor for the first year.",
    "I'm going to read back the address we have on file.",
    "It says here the device was activated on {date}.",
    "The system is showing a pending authorization for {amount}.",
    "That one posts after the billing cycle closes.",
    "Okay, and which card did you use for that purchase?",
    "Was that the visa ending in {phone4}?",
    "Can you tell me what the screen says right now?",
    "Go ahead and unplug it for about thirty seconds, then plug it back in.",
    "Now press and hold the reset button on the back.",
    "It should take about two minutes to come back up.",
    "I'm checking the outage map for your area now.",
    "I don't see any outages reported near {zip}.",
    "The replacement will ship by ground, so three to five business days.",
    "The return window is thirty days from delivery.",
    "That's the standard plan, it includes unlimited talk and text.",
    "The promotional rate ended on {date}.",
    "Okay, I'm adding a note to the account.",
    "I have the email here, it was sent on {date} at four twenty.",
    "Let me just confirm the spelling of the street name.",
]

AGENT_CLOSINGS = [
    "Is there anything else I can help you with today?",
    "Is there anything else I can do for you, {first}?",
    "Thank you for calling {company}, have a great day!",
    "Thanks for your patience today, {first}, and have a wonderful evening.",
    "You're welcome, take care.",
    "It was my pleasure helping you today. Goodbye.",
]

CUSTOMER_OPENERS = [
    "Hi, yeah, I'm calling about my order, it never showed up.",
    "Hi {agent}, I was charged twice on my last bill and I need that fixed.",
    "Yes, hi, my internet has been down since {date}.",
    "I'm calling because I got an email saying my account was suspended.",
    "Hello, I need to cancel my subscription.",
    "Hi, I'm trying to return a {product} but the website won't let me.",
    "Yeah hi, I've called three times about this already.",
    "Hi there, I have a question about a charge on my statement.",
]

CUSTOMER_MIDDLE = [
    "Sure, it's {customer}.",
    "My account number is {account}.",
    "The order number is {order}.",
    "It's {phone4}.",
    "My zip code is {zip}.",
    "Yes, that's correct.",
    "No, that's the old address.",
    "I ordered it on {date} and it still hasn't arrived.",
    "This is ridiculous, I've been waiting for two weeks.",
    "I've been on hold for forty five minutes.",
    "This is the third time I'm calling about this.",
    "I want to speak to a manager.",
    "I'm going to cancel my account if this isn't fixed today.",
    "Nobody ever calls back when they say they will.",
    "That's unacceptable.",
    "I'm really frustrated, honestly.",
    "I just want my money back.",
    "Why was I charged {amount} when the plan is supposed to be cheaper?",
    "The {product} stopped working after {days} days.",
    "I already restarted it twice.",
    "The light is blinking orange.",
    "Okay, that works for me.",
    "Oh, that's great, thank you.",
    "Alright, I appreciate that.",
    "How long is that going to take?",
    "Can you just send me a new one?",
    "Will I get an email confirming that?",
    "Do I need to do anything on my end?",
    "Okay, sure, I can hold.",
    "Yeah, go ahead.",
    "Hello? Are you still there?",
    "I didn't get any email about that.",
    "The tracking number says it's still in {city}.",
    "My email is {email}.",
    "I moved, the new address is {street}.",
    "Can I get a reference number for this call?",
    "Okay.",
    "Yes.",
    "Mm-hmm.",
    "Right.",
    "No.",
    "Uh-huh.",
    "Sure.",
    # neutral
    "It's the {product}, the gray one.",
    "I bought it at the store in {city}.",
    "I think it was on {date}, maybe a day later.",
    "It's a visa, ending in {phone4}.",
    "The screen just says no signal.",
    "Okay, it's unplugged now.",
    "Alright, it's plugged back in. The light is green now.",
    "I'm at home, yeah.",
    "Hold on, let me grab the paperwork.",
    "Okay, I found it. The invoice number is {order}.",
    "The email came from billing at {company}.",
    "It was around {amount}, I think.",
    "My husband usually handles the account but he's at work.",
    "I'm driving right now so I can't check the app.",
    "The app just keeps spinning when I log in.",
    "I have the confirmation number somewhere.",
    "We moved here in {date}, actually.",
    "It's the basic plan, I think.",
    "Is that the same as the one on my statement?",
    "So do I need to send the old one back first?",
]

CUSTOMER_CLOSINGS = [
    "No, that's everything, thank you.",
    "No, I think that's it. Thanks for your help.",
    "That's all, thanks {agent}.",
    "Okay, thank you, bye.",
    "Alright, thanks, have a good one.",
]

FILLERS_START = ["Um, ", "Uh, ", "You know, ", "Okay, ", "Let me see, ", "So, um, ", "Uh, okay, ",
                 "Yeah, um, ", "Hmm, "]
FILLERS_MID = [" um,", " uh,", " you know,", " like,", " I mean,", " uh"]

FIRST_NAMES = ["James", "Maria", "Robert", "Linda", "Michael", "Patricia", "David", "Jennifer",
               "Carlos", "Aisha", "Wei", "Priya", "Tom", "Grace", "Olu", "Sofia", "Daniel",
               "Hannah", "Kevin", "Fatima", "Liam", "Chloe", "Mateo", "Yuki", "Dmitri", "Nia"]
LAST_NAMES = ["Smith", "Garcia", "Johnson", "Nguyen", "Brown", "Okafor", "Martinez", "Chen",
              "Patel", "Kowalski", "O'Brien", "Rossi", "Kim", "Haddad", "Andersen", "Moreau"]
AGENTS = ["Dana", "Marcus", "Priya", "Jordan", "Elena", "Sam", "Tariq", "Beth", "Luis", "Keiko",
          "Noah", "Ava"]
TEAMS = ["Billing", "Tech Support", "Retention", "Claims", "Shipping", "Accounts"]
COMPANIES = ["Acme Telecom", "Northwind", "BrightHome Insurance", "Contoso Bank", "Globex Energy",
             "Union Credit"]
PRODUCTS = ["router", "blender", "phone", "laptop", "smart thermostat", "headset", "modem",
            "washing machine", "tablet"]
CITIES = ["Memphis", "Louisville", "Ontario, California", "Newark", "Phoenix", "Columbus"]
STREETS = ["42 Oak Street", "1187 Maple Avenue", "9 Harbor Lane, apartment 3", "300 Pine Road"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]

# Fragments that turn a pack phrase ("I'm sorry for") into a sentence.
PHRASE_TAILS = ["", " that.", " the wait.", " this.", " your order.", " the trouble today.",
                " the {product}.", " on {date}.", " right away.", " okay?"]


@dataclass
class Vocabulary:
    """Sentences by speaker, from the built-in lists and (optionally) the behaviour packs."""

    agent: list[str] = field(default_factory=lambda: list(AGENT_MIDDLE))
    customer: list[str] = field(default_factory=lambda: list(CUSTOMER_MIDDLE))
    pack_agent: list[str] = field(default_factory=list)
    pack_customer: list[str] = field(default_factory=list)


def _pattern_phrases(raw: Any) -> Iterator[str]:
    """Plain phrases of a rule's ``patterns`` (strings, ``phrase:``, ``phrases:``)."""
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        return
    for item in raw:
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            if isinstance(item.get("phrase"), str):
                yield item["phrase"]
            for p in item.get("phrases") or []:
                if isinstance(p, str):
                    yield p


def pack_sentences(folder: Path = DEFAULT_PACKS) -> tuple[list[str], list[str]]:
    """(agent, customer) phrases and example sentences found in ``folder/*.yaml``.

    Read leniently with PyYAML (a pack that is being written and does not load is skipped), so
    the generator never depends on the packs being valid.
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~10x faster
    agent: list[str] = []
    customer: list[str] = []
    if not folder.is_dir():
        return agent, customer
    for path in sorted(folder.glob("*.y*ml")):
        if path.name.startswith(("scorecard.", ".")):
            continue
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
        except Exception:  # noqa: BLE001 - a half-written pack is simply skipped
            continue
        defaults = data.get("defaults") or {} if isinstance(data, dict) else {}
        rules = data.get("rules") if isinstance(data, dict) else data
        if not isinstance(rules, list):
            continue
        for rule in rules:
            if not isinstance(rule, dict):
                continue
            merged = {**(defaults if isinstance(defaults, dict) else {}), **rule}
            category = merged.get("category")
            speaker = merged.get("speaker", "customer" if category == "customer-frustration" else "agent")
            target = customer if speaker == "customer" else agent
            for phrase in _pattern_phrases(merged.get("patterns")):
                phrase = " ".join(phrase.split())
                if phrase:
                    target.append("\x00" + phrase)  # a fragment: gets a tail and a capital
            examples = merged.get("examples") or {}
            if not isinstance(examples, dict):
                continue
            for key in ("match", "no_match"):
                for ex in examples.get(key) or []:
                    if isinstance(ex, str):
                        target.append(ex)
                    elif isinstance(ex, dict):
                        text = ex.get("agent", ex.get("text"))
                        if isinstance(text, str):
                            (customer if speaker == "customer" else agent).append(text)
                        if isinstance(ex.get("customer"), str):
                            customer.append(ex["customer"])
    return agent, customer


def vocabulary(packs: Path | None = DEFAULT_PACKS) -> Vocabulary:
    vocab = Vocabulary()
    if packs is not None:
        vocab.pack_agent, vocab.pack_customer = pack_sentences(packs)
    return vocab


# -- one call -----------------------------------------------------------------------------------

class CallGenerator:
    """Builds calls from a seeded ``random.Random``; the same seed gives the same calls."""

    def __init__(self, seed: int, vocab: Vocabulary | None = None, *, pack_share: float = 0.15) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.vocab = vocab or vocabulary(None)
        self.pack_share = pack_share

    # slot values
    def _slots(self) -> dict[str, str]:
        r = self.rng
        first, last = r.choice(FIRST_NAMES), r.choice(LAST_NAMES)
        return {
            "customer": f"{first} {last}",
            "first": first,
            "company": r.choice(COMPANIES),
            "product": r.choice(PRODUCTS),
            "city": r.choice(CITIES),
            "street": r.choice(STREETS),
            "email": f"{first.lower()}.{last.lower().replace(chr(39), '')}{r.randint(1, 99)}@example.com",
        }

    def _dynamic(self, slots: dict[str, str]) -> dict[str, str]:
        """Values that change on every use within a call (dates, amounts...)."""
        r = self.rng
        return {
            **slots,
            "order": r.choice([f"{r.randint(100, 999)}-{r.randint(1000000, 9999999)}",
                               f"W{r.randint(10000000, 99999999)}",
                               f"#{r.randint(100000, 999999)}"]),
            "account": r.choice([f"AC-{r.randint(10000000, 99999999)}",
                                 f"{r.randint(1000, 9999)} {r.randint(1000, 9999)} {r.randint(1000, 9999)}"]),
            "ticket": f"{r.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}{r.randint(100000, 999999)}",
            "amount": r.choice([f"${r.randint(5, 499)}.{r.randint(0, 99):02d}",
                                f"{r.randint(5, 300)} dollars", f"${r.randint(10, 90)}"]),
            "date": r.choice([f"{r.choice(MONTHS)} {r.randint(1, 28)}",
                              f"{r.randint(1, 12)}/{r.randint(1, 28)}", "last Tuesday", "Monday",
                              "yesterday", f"the {r.randint(2, 28)}th"]),
            "days": str(r.randint(2, 14)),
            "pct": str(r.choice([10, 15, 20, 25])),
            "phone4": f"{r.randint(0, 9999):04d}",
            "zip": f"{r.randint(10000, 99999)}",
        }

    def _fill(self, template: str, slots: dict[str, str]) -> str:
        if "{" not in template:
            return template
        try:
            return template.format_map(self._dynamic(slots))
        except (KeyError, IndexError, ValueError):
            return template.replace("{", "").replace("}", "")  # a pack sentence with braces

    def _pack_sentence(self, pool: Sequence[str], slots: dict[str, str]) -> str:
        s = self.rng.choice(pool)
        if s.startswith("\x00"):
            s = s[1:] + self.rng.choice(PHRASE_TAILS)
            s = s[0].upper() + s[1:]
            if s[-1] not in ".?!":
                s += "."
        return self._fill(s, slots)

    def _sentence(self, speaker: str, slots: dict[str, str]) -> str:
        builtin = self.vocab.agent if speaker == "agent" else self.vocab.customer
        pack = self.vocab.pack_agent if speaker == "agent" else self.vocab.pack_customer
        if pack and self.rng.random() < self.pack_share:
            return self._pack_sentence(pack, slots)
        return self._fill(self.rng.choice(builtin), slots)

    def _disfluent(self, text: str) -> str:
        r = self.rng
        roll = r.random()
        if roll < 0.18:
            text = r.choice(FILLERS_START) + text[0].lower() + text[1:] if not text.startswith("I ") \
                and not text.startswith("I'") else r.choice(FILLERS_START) + text
        elif roll < 0.30:
            words = text.split(" ")
            if len(words) > 4:
                at = r.randint(1, len(words) - 2)
                words[at] = words[at] + r.choice(FILLERS_MID)
                text = " ".join(words)
        return text

    def _turn_text(self, speaker: str, slots: dict[str, str], first: str | None = None) -> str:
        n = self.rng.choices((1, 2, 3, 4), weights=(45, 35, 15, 5))[0]
        sentences = [first] if first else []
        while len(sentences) < n:
            s = self._sentence(speaker, slots)
            if sentences and s[:12] == sentences[-1][:12]:  # no "My account is X. My account is Y."
                s = self._sentence(speaker, slots)
            sentences.append(s)
        return " ".join(self._disfluent(s) for s in sentences)

    def call(self, index: int) -> dict[str, Any]:
        r = self.rng
        slots = self._slots()
        agent = r.choice(AGENTS)
        team = r.choice(TEAMS)
        slots.update(agent=agent, team=team)
        n_turns = r.randint(20, 80)
        turns: list[dict[str, Any]] = []
        clock = 0.0
        verify_left = r.randint(1, 3)
        for i in range(n_turns):
            speaker = "agent" if i % 2 == 0 else "customer"
            closing = i >= n_turns - 2
            if speaker == "agent":
                if i == 0:
                    text = self._fill(r.choice(AGENT_GREETINGS), slots)
                elif closing:
                    text = self._turn_text("agent", slots, self._fill(r.choice(AGENT_CLOSINGS), slots))
                elif verify_left and i <= 6:
                    verify_left -= 1
                    text = self._fill(r.choice(AGENT_VERIFY), slots)
                else:
                    text = self._turn_text("agent", slots)
            else:
                if i == 1:
                    text = self._disfluent(self._fill(r.choice(CUSTOMER_OPENERS), slots))
                elif closing:
                    text = self._fill(r.choice(CUSTOMER_CLOSINGS), slots)
                else:
                    text = self._turn_text("customer", slots)
            words = len(text.split())
            start = clock + r.uniform(0.1, 1.2)
            end = start + words / r.uniform(2.2, 3.2) + r.uniform(0.2, 0.8)
            clock = end
            turns.append({"speaker": speaker, "text": text, "start": round(start, 2), "end": round(end, 2)})
        return {"id": f"bench-{self.seed}-{index:06d}", "metadata": {"agent": agent, "team": team},
                "turns": turns}

    def calls(self, n: int) -> Iterator[dict[str, Any]]:
        for i in range(n):
            yield self.call(i)


def generate(n: int, seed: int = 7, packs: Path | None = DEFAULT_PACKS,
             pack_share: float = 0.15) -> list[dict[str, Any]]:
    """``n`` calls for ``seed`` (phrases from the packs in ``packs``; None: built-in only)."""
    return list(CallGenerator(seed, vocabulary(packs), pack_share=pack_share).calls(n))


def write_calls(calls: Sequence[dict[str, Any]], out: Path, layout: str | None = None) -> Path:
    """Write native JSON calls: one JSONL file, or one ``<id>.json`` per call in a folder."""
    out = Path(out)
    layout = layout or ("jsonl" if out.suffix in (".jsonl", ".ndjson") else "dir")
    if layout == "jsonl":
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(out, "w", encoding="utf-8") as fh:
            for call in calls:
                fh.write(json.dumps(call, ensure_ascii=False) + "\n")
    else:
        out.mkdir(parents=True, exist_ok=True)
        for call in calls:
            (out / f"{call['id']}.json").write_text(json.dumps(call, ensure_ascii=False, indent=1) + "\n",
                                                    encoding="utf-8")
    return out


def word_count(calls: Sequence[dict[str, Any]]) -> int:
    return sum(len(t["text"].split()) for c in calls for t in c["turns"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=1000, help="number of calls (default 1000)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("-o", "--output", type=Path, required=True,
                        help="a .jsonl file, or a folder (one .json file per call)")
    parser.add_argument("--layout", choices=("jsonl", "dir"),
                        help="force the layout (default: jsonl for a .jsonl/.ndjson name, else dir)")
    parser.add_argument("--packs", type=Path, default=DEFAULT_PACKS,
                        help=f"rule packs to draw phrases from (default {DEFAULT_PACKS})")
    parser.add_argument("--no-packs", action="store_true", help="use only the built-in sentences")
    parser.add_argument("--pack-share", type=float, default=0.15,
                        help="share of sentences drawn from the packs (default 0.15)")
    args = parser.parse_args(argv)
    calls = generate(args.calls, args.seed, None if args.no_packs else args.packs, args.pack_share)
    out = write_calls(calls, args.output, args.layout)
    print(f"{len(calls)} calls, {sum(len(c['turns']) for c in calls)} turns, {word_count(calls)} words "
          f"-> {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
