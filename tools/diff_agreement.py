#!/usr/bin/env python3
"""Checks that `caom2pipe diff` and the reference checker (`check.py diff`) agree.

For every CAOM document in the conformance `xml/` folder (and any extra files given), it makes
pairs (original, mutated) with edits that must count as differences (a value beyond the float
tolerance, a removed artifact, a changed string, a removed keyword, a changed date, …) and edits
that must not (ids, checksums, timestamps, contentLength, child order, a float moved within the
tolerance), and it also pairs every two distinct documents. It runs both tools on each pair and
compares their verdicts (exit status 0 or 1).

Usage: tools/diff_agreement.py CAOM2PIPE CONFORMANCE_DIR [FILE...]
Prints one line per disagreement and a last line `N agree, M disagree`; exits 1 on any
disagreement.
"""
import copy
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

XSI = 'http://www.w3.org/2001/XMLSchema-instance'


def ns_of(root):
    return root.tag[1:].split('}')[0]


def q(ns, name):
    return f'{{{ns}}}{name}'


def first(root, ns, name):
    return next(root.iter(q(ns, name)), None)


def is_double(text):
    try:
        float(text)
        return '.' in text or 'E' in text or 'e' in text
    except (TypeError, ValueError):
        return False


def doubles(root):
    return [e for e in root.iter() if len(e) == 0 and is_double((e.text or '').strip())]


def scale_first_double(factor, offset=0.0):
    def edit(root, ns):
        ds = doubles(root)
        if not ds:
            return False
        e = ds[len(ds) // 2]
        v = float(e.text) * factor + offset
        e.text = repr(v)
        return True
    return edit


def remove_first(name):
    def edit(root, ns):
        for parent in root.iter():
            for child in list(parent):
                if child.tag == q(ns, name):
                    parent.remove(child)
                    return True
        return False
    return edit


def change_text(name, new):
    def edit(root, ns):
        e = first(root, ns, name)
        if e is None:
            return False
        e.text = new
        return True
    return edit


def toggle_text(name, a, b):
    def edit(root, ns):
        e = first(root, ns, name)
        if e is None:
            return False
        e.text = b if (e.text or '').strip() == a else a
        return True
    return edit


def change_attr(name, fn):
    def edit(root, ns):
        for e in root.iter():
            key = q(ns, name)
            if key in e.attrib:
                e.attrib[key] = fn(e.attrib[key])
                return True
        return False
    return edit


def reverse_children(container):
    def edit(root, ns):
        done = False
        for e in root.iter(q(ns, container)):
            kids = list(e)
            if len(kids) > 1:
                for k in kids:
                    e.remove(k)
                for k in reversed(kids):
                    e.append(k)
                done = True
        return done
    return edit


def shift_date(name, ms):
    def edit(root, ns):
        e = first(root, ns, name)
        if e is None or not e.text:
            return False
        t = e.text.strip()
        base, frac = (t.split('.') + ['000'])[:2]
        total = int(frac[:3].ljust(3, '0')) + ms
        if not 0 <= total <= 999:
            total = (total + 1000) % 1000
        e.text = f'{base}.{total:03d}'
        return True
    return edit


# (name, edit, expected verdict: True = the documents differ, None = either)
MUTATIONS = [
    ('identity', lambda root, ns: True, False),
    ('float within tolerance', scale_first_double(1 + 1e-13), False),
    ('float beyond tolerance', scale_first_double(1 + 1e-6, 1e-6), True),
    ('new entity id', change_attr('id', lambda v: v[:-4] + ('0000' if v[-4:] != '0000' else '1111')), False),
    ('new metaChecksum', change_attr('metaChecksum', lambda v: 'md5:' + '0' * 32), False),
    ('new lastModified', change_attr('lastModified', lambda v: '2000-01-01T00:00:00.000'), False),
    ('new contentLength', change_text('contentLength', '1'), False),
    ('planes reversed', reverse_children('planes'), False),
    ('artifacts reversed', reverse_children('artifacts'), False),
    ('keywords reversed', reverse_children('keywords'), False),
    ('points reversed (winding)', reverse_children('points'), True),
    ('chunk vertices reversed', reverse_children('vertices'), None),
    ('artifact removed', remove_first('artifact'), True),
    ('part removed', remove_first('part'), True),
    ('keyword removed', remove_first('keyword'), True),
    ('metaRelease removed', remove_first('metaRelease'), True),
    ('environment removed', remove_first('environment'), True),
    ('target name changed', change_text('name', 'something else'), True),
    ('observationID changed', change_text('observationID', 'other-id'), True),
    ('ctype changed', change_text('ctype', 'FREQ'), True),
    ('productType changed', change_text('productType', 'auxiliary'), True),
    ('metaRelease +1 ms', shift_date('metaRelease', 1), True),
    ('sequenceNumber changed', change_text('sequenceNumber', '999'), True),
    ('intent changed', toggle_text('intent', 'science', 'calibration'), True),
    ('calibrationLevel changed', change_text('calibrationLevel', '0'), True),
]


def verdict(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode not in (0, 1):
        return f'error {r.returncode}: {r.stderr.strip()[:200]}'
    return r.returncode == 1


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    ours, conf = sys.argv[1], sys.argv[2]
    check = [sys.executable, os.path.join(conf, 'check.py'), 'diff']
    files = sys.argv[3:] or sorted(
        os.path.join(conf, 'xml', f) for f in os.listdir(os.path.join(conf, 'xml')) if f.endswith('.xml'))
    agree = disagree = 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            tree = ET.parse(path)
            root = tree.getroot()
            ns = ns_of(root)
            ET.register_namespace('caom2', ns)
            ET.register_namespace('xsi', XSI)
            for name, edit, expected in MUTATIONS:
                mutated = copy.deepcopy(root)
                if not edit(mutated, ns):
                    continue
                out = os.path.join(tmp, 'mutated.xml')
                ET.ElementTree(mutated).write(out, xml_declaration=True, encoding='UTF-8')
                theirs = verdict(check + [path, out])
                mine = verdict([ours, 'diff', path, out])
                if theirs == mine:
                    agree += 1
                else:
                    disagree += 1
                    print(f'DISAGREE {os.path.basename(path)} / {name}: check.py says '
                          f'{theirs}, caom2pipe says {mine} (expected {expected})')
                if expected is not None and theirs != expected and isinstance(theirs, bool):
                    print(f'note: {os.path.basename(path)} / {name}: check.py verdict {theirs}, expected {expected}')
        # every pair of distinct documents: real records that differ in many ways at once
        for i, a in enumerate(files):
            for b in files[i + 1:]:
                theirs = verdict(check + [a, b])
                mine = verdict([ours, 'diff', a, b])
                if theirs == mine:
                    agree += 1
                else:
                    disagree += 1
                    print(f'DISAGREE {os.path.basename(a)} vs {os.path.basename(b)}: check.py says '
                          f'{theirs}, caom2pipe says {mine}')
    print(f'{agree} agree, {disagree} disagree')
    return 1 if disagree else 0


if __name__ == '__main__':
    sys.exit(main())
