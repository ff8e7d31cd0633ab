"""Fill locale/fr/LC_MESSAGES/django.po from scripts/translations_fr.py (msgid -> French).

Used after `manage.py makemessages -l fr`: keeps every entry, sets the msgstr of those the
table knows, clears fuzzy flags on them, and lists the msgids still untranslated.
Run: .venv/bin/python scripts/fill_translations.py && manage.py compilemessages
"""

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
sys.path.insert(0, str(ROOT / "scripts"))
from translations_fr import TRANSLATIONS  # noqa: E402


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main() -> int:
    blocks = PO.read_text(encoding="utf-8").split("\n\n")
    missing = []
    out = []
    for block in blocks:
        lines = block.split("\n")
        msgid_parts, msgstr_at = [], None
        in_id = False
        for n, line in enumerate(lines):
            if line.startswith("msgid "):
                in_id = True
                msgid_parts.append(ast.literal_eval(line[6:]))
            elif line.startswith("msgstr "):
                in_id = False
                msgstr_at = n
            elif in_id and line.startswith('"'):
                msgid_parts.append(ast.literal_eval(line))
        msgid = "".join(msgid_parts)
        if msgstr_at is None or not msgid:
            out.append("\n".join(line for line in lines if line != "#, fuzzy"))
            continue
        if msgid in TRANSLATIONS:
            end = msgstr_at + 1
            while end < len(lines) and lines[end].startswith('"'):
                end += 1
            lines[msgstr_at:end] = ["msgstr " + _quote(TRANSLATIONS[msgid])]
            lines = [
                re.sub(r"^#, fuzzy(, )?", "#, ", line) if line.startswith("#, fuzzy") else line
                for line in lines
            ]
            lines = [line for line in lines if line != "#, "]
        else:
            missing.append(msgid)
        out.append("\n".join(lines))
    PO.write_text("\n\n".join(out), encoding="utf-8")
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
