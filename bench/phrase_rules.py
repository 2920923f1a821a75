"""A synthetic rule folder of ~300 phrase rules, for the engine-throughput measurement.

The rules-engine issue asks for the "throughput of the engine with ~300 phrase rules as a ratio
to bare spacy.blank("en") tokenization of the same text" (target >= 0.5). These rules are plain
phrase rules (no token or dependency patterns), spread over the behaviour categories with
their default polarity (so credits get the negation check, as real rules do), written as YAML
and loaded through poise's own loader. Their phrases are realistic:

- variants of the default packs' phrases (``rules/*.yaml``) when there are any;
- families of call-centre phrases ("I'm so sorry" x "for the wait" / "about the delay"...);
- 3-5 word windows of 40% of the generator's built-in sentences, so rules fire at a realistic rate on
  the generated calls.

    python bench/phrase_rules.py -o /tmp/bench-rules --rules 300
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path
from typing import Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402  (bench/ is not a package)

# (category, speaker, stems, tails): a rule is one stem with a few tails.
FAMILIES: list[tuple[str, str, list[str], list[str]]] = [
    ("apology", "agent",
     ["I'm sorry", "I'm so sorry", "I'm really sorry", "I apologize", "my apologies", "I'm very sorry",
      "I do apologize", "sincere apologies", "we apologize", "I'm truly sorry"],
     ["for the wait", "for the delay", "for the inconvenience", "about the delay", "for the trouble",
      "about that", "for the confusion", "for the mix-up", "for the hassle", "about the wait",
      "for any trouble", "that happened"]),
    ("non-apology", "agent",
     ["I'm sorry you feel", "I'm sorry if you", "sorry if that", "I'm sorry that you think",
      "sorry but", "I apologize if you"],
     ["that way", "were confused", "feel upset", "came across wrong", "misunderstood", "think so"]),
    ("empathy", "agent",
     ["I understand how", "I can hear how", "I can imagine how", "I know how", "I completely understand how",
      "I totally get how"],
     ["frustrating that must be", "upsetting this has been", "frustrating this is", "stressful this is",
      "annoying that is", "inconvenient that is", "difficult this has been"]),
    ("active-listening", "agent",
     ["just to make sure I understand", "let me make sure I have", "so what I'm hearing is",
      "if I understand correctly", "just to confirm", "let me repeat that back"],
     ["", "this right", "that right", "the details", "you were charged", "you never received"]),
    ("de-escalation", "agent",
     ["I want to get", "let's work together", "I'm here to", "we'll figure", "I'm going to do",
      "let me see what"],
     ["this sorted for you", "on this", "help you", "this out", "everything I can", "I can do"]),
    ("escalation-trigger", "agent",
     ["calm down", "there's nothing I can", "that's policy", "you should have", "like I said",
      "as I already said", "I already told you"],
     ["", "do", "sir", "ma'am", "read the terms", "before"]),
    ("ownership", "agent",
     ["I'm going to", "I'll personally", "I will", "let me", "I'll make sure", "I'm going to make sure"],
     ["take care of this", "get this resolved", "fix this for you", "handle this", "follow up",
      "look into this", "sort this out today"]),
    ("courtesy", "agent",
     ["thank you so much", "thanks so much", "I really appreciate", "I appreciate", "thank you for",
      "I'd be happy"],
     ["for holding", "your patience", "for waiting", "to help", "calling", "for your time",
      "for bearing with me"]),
    ("blame", "agent",
     ["it's not our", "that's on", "the system must", "you must have", "the carrier", "that's your"],
     ["fault", "their end", "have glitched", "entered it wrong", "lost the package", "problem"]),
    ("rudeness", "agent",
     ["whatever", "I don't care", "that's not my", "you people", "are you even", "I can't help"],
     ["", "department", "problem", "listening", "you with that", "always"]),
    ("negative-language", "agent",
     ["we can't", "unfortunately", "that's not possible", "there's no way", "we don't", "it's impossible"],
     ["do that", "that item is", "to do", "allow that", "offer that", "anymore"]),
    ("next-steps", "agent",
     ["here's what's going", "as a next step", "you'll receive", "you should see", "you'll get",
      "the next step is"],
     ["to happen next", "I'll send you", "a confirmation email", "it in three to five business days",
      "an email", "a call back"]),
    ("greeting", "agent",
     ["thank you for calling", "thanks for calling", "good morning and", "my name is", "how can I help",
      "how may I help"],
     ["", "you today", "support", "you", "and thanks", "speaking"]),
    ("closing", "agent",
     ["is there anything else", "have a great", "have a wonderful", "thank you for calling", "take care",
      "it was my pleasure"],
     ["I can help you with", "day", "evening", "I can do for you", "", "helping you today"]),
    ("hold-etiquette", "agent",
     ["would it be okay if I", "do you mind if I", "thank you for holding", "thanks for waiting",
      "I'm going to place you", "may I place you"],
     ["place you on hold", "put you on hold", "", "on a brief hold", "on hold", "for a moment"]),
    ("verification", "agent",
     ["can I get your", "can you please verify", "for security", "could I have the", "just to verify",
      "can you confirm"],
     ["full name", "the last four digits", "can you confirm", "account number", "your date of birth",
      "the zip code"]),
    ("customer-frustration", "customer",
     ["this is ridiculous", "I've been waiting", "I want to speak", "this is the third time", "that's unacceptable",
      "I'm going to cancel", "nobody ever", "I've been on hold"],
     ["", "for two weeks", "to a manager", "I'm calling", "my account", "calls back", "for forty five minutes"]),
]

CATEGORY_FOR_SPEAKER = {"agent": [f[0] for f in FAMILIES if f[1] == "agent"],
                        "customer": ["customer-frustration"]}


def _ngrams(sentences: Sequence[str], rng: random.Random, share: float = 0.4) -> list[str]:
    """3-5 word windows of a ``share`` of the sentences (slots and numbers dropped)."""
    out = []
    for s in sentences:
        if rng.random() > share:
            continue
        words = [w.strip(".,?!") for w in s.split() if "{" not in w and not any(c.isdigit() for c in w)]
        words = [w for w in words if w]
        if len(words) < 3:
            continue
        n = rng.randint(3, min(5, len(words)))
        at = rng.randint(0, len(words) - n)
        out.append(" ".join(words[at:at + n]))
    return out


def _pack_variants(phrase: str) -> list[str]:
    """A pack phrase and close variants, as a team would add ("I'm so sorry" -> "I'm really sorry")."""
    out = [phrase]
    for a, b in (("so ", "really "), ("sorry", "very sorry"), ("I'm", "I am"), ("you", "you all"),
                 ("the ", "this "), ("can", "could")):
        if a in phrase:
            out.append(phrase.replace(a, b, 1))
    return out


def phrase_rule_specs(n_rules: int = 300, seed: int = 0,
                      packs: Path | None = generate.DEFAULT_PACKS) -> list[dict]:
    """``n_rules`` rule mappings (id, category, speaker, message, patterns), deterministic."""
    rng = random.Random(seed)
    pools: list[tuple[str, str, list[str]]] = []  # (category, speaker, phrases to pick from)
    for category, speaker, stems, tails in FAMILIES:
        for stem in stems:
            pools.append((category, speaker, [f"{stem} {t}".strip() for t in tails]))
    agent_pack, customer_pack = generate.pack_sentences(packs) if packs else ([], [])
    for speaker, pack in (("agent", agent_pack), ("customer", customer_pack)):
        fragments = sorted({p[1:] for p in pack if p.startswith("\x00")})
        for i in range(0, len(fragments), 2):
            variants = [v for f in fragments[i:i + 2] for v in _pack_variants(f)]
            pools.append((rng.choice(CATEGORY_FOR_SPEAKER[speaker]), speaker, variants))
    for speaker, sentences in (("agent", generate.AGENT_MIDDLE + generate.AGENT_VERIFY +
                                generate.AGENT_CLOSINGS), ("customer", generate.CUSTOMER_MIDDLE)):
        grams = _ngrams(sentences, rng)
        for i in range(0, len(grams), 3):
            pools.append((rng.choice(CATEGORY_FOR_SPEAKER[speaker]), speaker, grams[i:i + 3]))
    rules = []
    seen: set[tuple[str, ...]] = set()
    attempt = 0
    while len(rules) < n_rules and attempt < n_rules * 20:
        category, speaker, phrases = pools[attempt % len(pools)]
        attempt += 1
        k = min(len(phrases), rng.randint(1, 4))
        chosen = tuple(sorted(set(rng.sample(phrases, k))))
        if chosen in seen:
            continue
        seen.add(chosen)
        rules.append({"id": f"bench.{category}.r{len(rules):03d}", "category": category,
                      "speaker": speaker, "message": f"synthetic {category} rule {len(rules)}",
                      "patterns": list(chosen)})
    return rules


def write_phrase_rules(folder: Path, n_rules: int = 300, seed: int = 0,
                       packs: Path | None = generate.DEFAULT_PACKS) -> Path:
    """Write the rules as ``folder/<category>.yaml`` files (replacing the folder's YAML files)."""
    import yaml

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.yaml"):
        old.unlink()
    by_category: dict[str, list[dict]] = {}
    for rule in phrase_rule_specs(n_rules, seed, packs):
        by_category.setdefault(rule["category"], []).append(rule)
    for category, rules in sorted(by_category.items()):
        text = yaml.safe_dump({"rules": rules}, sort_keys=False, allow_unicode=True, width=120)
        (folder / f"{category}.yaml").write_text(text, encoding="utf-8")
    return folder


def phrase_count(folder: Path) -> tuple[int, int]:
    """(rules, phrases) in a rule folder, through poise's loader."""
    from poise.rules import load_ruleset
    rules = load_ruleset([folder], defaults=False)
    return len(rules), sum(1 for r in rules for p in r.patterns if p.kind == "phrase")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, required=True, help="folder to write the rules to")
    parser.add_argument("--rules", type=int, default=300, help="number of rules (default 300)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-packs", action="store_true", help="do not draw phrases from rules/*.yaml")
    args = parser.parse_args(argv)
    folder = write_phrase_rules(args.output, args.rules, args.seed,
                                None if args.no_packs else generate.DEFAULT_PACKS)
    n_rules, n_phrases = phrase_count(folder)
    print(f"{n_rules} rules, {n_phrases} phrases -> {folder}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
