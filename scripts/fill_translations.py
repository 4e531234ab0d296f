"""Fill msgstr of a .po file from a {msgid: msgstr} JSON file (only empty ones, unless --force)."""
import json, re, sys
po, tr = sys.argv[1], json.load(open(sys.argv[2]))
s = open(po).read()
out = []
for block in s.split('\n\n'):
    m = re.search(r'(msgid ((?:".*"\n?)+))msgstr ((?:".*"\n?)+)', block + '\n')
    if m and 'msgid_plural' not in block:
        mid = ''.join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2)))
        mid_u = mid.encode().decode('unicode_escape').encode('latin1').decode('utf8') if '\\' in mid else mid
        cur = ''.join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(3)))
        key = mid_u if mid_u in tr else mid
        if mid and key in tr and (not cur or '--force' in sys.argv):
            val = tr[key].replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')
            block = block[:m.start(3)] + f'"{val}"' + ('\n' if block[m.end(3)-1:m.end(3)] == '\n' and m.end(3) < len(block) else '') + block[m.end(3):]
            block = block.replace('#, fuzzy\n', '')
    out.append(block)
open(po, 'w').write('\n\n'.join(out))
missing = []
for block in out[1:]:
    m = re.search(r'msgid ((?:".*"\n?)+)msgstr ""\s*$', block.strip() + '\n')
    if m and ''.join(re.findall(r'"(.*)"', m.group(1))):
        missing.append(''.join(re.findall(r'"(.*)"', m.group(1))))
print(f"untranslated: {len(missing)}")
for x in missing: print("  ", repr(x))
