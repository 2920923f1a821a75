from pathlib import Path

import pytest

from poise.errors import LoadError
from poise.formats import LoadOptions, load_file, load_text


def load_one(text: str, name: str = "call.txt", **options) -> "object":
    [transcript] = load_text(text, Path(name), LoadOptions(**options))
    return transcript


def test_agent_and_customer_lines_become_turns_with_roles():
    t = load_one("Agent: Thank you for calling.\nCustomer: Hi, my bill is wrong.\n")
    assert [(x.speaker, x.label, x.text) for x in t.turns] == [
        ("agent", "Agent", "Thank you for calling."),
        ("customer", "Customer", "Hi, my bill is wrong."),
    ]
    assert t.roles.method == "alias"
    assert t.id == "call" and t.format == "text"


@pytest.mark.parametrize("agent,customer", [("Rep", "Caller"), ("CSR", "Member"),
                                            ("Representative", "Client"), ("Advisor", "Guest")])
def test_speaker_aliases_map_to_roles(agent, customer):
    t = load_one(f"{agent}: Hello, how can I help?\n{customer}: My card was declined.\n")
    assert [x.speaker for x in t.turns] == ["agent", "customer"]


def test_bracketed_and_bare_timestamps_give_start_seconds():
    t = load_one("[00:01:23] Agent: One moment.\n00:02:05.5 Customer: Sure.\n1:02:03 Agent: Back.\n")
    assert [x.start for x in t.turns] == [83.0, 125.5, 3723.0]
    assert all(x.end is None for x in t.turns)


def test_continuation_lines_and_blank_lines_join_the_turn():
    t = load_one("Agent: I can see the charge\nfrom March 3rd on your bill.\n\n\nCustomer: Yes that one.\n")
    assert t.turns[0].text == "I can see the charge from March 3rd on your bill."
    assert len(t.turns) == 2
    assert t.turns[1].line == 5


def test_front_matter_becomes_metadata_and_id():
    t = load_one("---\nid: call-42\nagent: Dana\nteam: Billing\n---\nAgent: Hi.\nCustomer: Hello.\n")
    assert t.id == "call-42"
    assert t.metadata == {"agent": "Dana", "team": "Billing"}
    assert t.turns[0].line == 6


def test_numbered_speakers_are_guessed_and_the_guess_is_reported():
    t = load_one("Speaker 1: Hi, I'm calling about my bill.\n"
                 "Speaker 2: Thank you for calling Northwind, my name is Sam, how can I help?\n"
                 "Speaker 1: It's too high.\n")
    assert [x.speaker for x in t.turns] == ["customer", "agent", "customer"]
    assert t.roles.method == "heuristic" and t.roles.agent_label == "Speaker 2"
    assert 0.5 <= t.roles.confidence < 1.0
    assert any("guessed" in w for w in t.warnings)


def test_agent_option_names_the_agent():
    t = load_one("Dana: Hello.\nLee: Hi.\n", agent_label="Lee")
    assert [x.speaker for x in t.turns] == ["customer", "agent"]
    assert t.roles.method == "option"


def test_call_without_identifiable_agent_is_reported():
    t = load_one("Bob: Hello.\nAlice: Hi.\n")
    assert not t.has_agent
    assert t.roles.method == "none"
    assert any("no speaker could be identified" in w for w in t.warnings)


def test_text_before_any_speaker_is_an_error_with_line_number():
    with pytest.raises(LoadError, match=r"line 1: expected 'Speaker: text'"):
        load_one("just some prose without speakers\nand more\n")


def test_unclosed_front_matter_is_an_error():
    with pytest.raises(LoadError, match="never closed"):
        load_one("---\nid: x\nAgent: hi\n")


def test_loads_from_disk_with_sniffing(tmp_path):
    path = tmp_path / "call.log"
    path.write_text("Agent: Hi there.\nCustomer: Hello.\n")
    [t] = load_file(path)
    assert t.format == "text" and len(t.turns) == 2
