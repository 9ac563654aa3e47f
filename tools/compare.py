#!/usr/bin/python3
"""The table of bin/compare: podnet against the peers, as rates and ratios measured in the same
sitting. Each cell lists the reps (rep1 / rep2 ...); a ratio compares rows of the same rep and N.

    tools/compare.py RESULTS.jsonl
"""
import collections
import json
import re
import sys

_fix = re.compile(r'(?<=:)(-?)\.(?=\d)')  # bc prints '.5': make it JSON
rows = [json.loads(_fix.sub(lambda m: m.group(1) + '0.', l)) for l in open(sys.argv[1]) if l.strip()]


def rate(label, n, op, rep):
    for r in rows:
        if r.get('label') != label or r.get('n') != n or r.get('rep') != rep or r.get('kind') == 'verify':
            continue
        if label.startswith('podnet-'):
            return r.get('add_per_s' if op == 'add' else 'del_per_s')
        if r.get('op') == op and r.get('total_s'):
            return n / r['total_s']
    return None


def verified(label, n, rep):
    for r in rows:
        if r.get('label') == label and r.get('n') == n and r.get('rep') == rep:
            if label.startswith('podnet-'):
                return r.get('verified') and r.get('errors') == 0
            if r.get('kind') == 'verify' and not r.get('ok'):
                return False
    return True


ns = sorted({r['n'] for r in rows if 'n' in r})
reps = sorted({r['rep'] for r in rows if 'rep' in r})


def cell(values, fmt):
    return ' / '.join('-' if v is None else fmt % v for v in values)


def series(label, n, op):
    return [rate(label, n, op, rep) for rep in reps]


def ratio(a, b, n, op_a, op_b=None):
    out = []
    for rep in reps:
        x, y = rate(a, n, op_a, rep), rate(b, n, op_b or op_a, rep)
        out.append(None if x is None or y is None or y == 0 else x / y)
    return out


print('### bridge shape (adds/s, removes/s; reps separated by /)\n')
print('| N | podnet add/s | C seq. LL-off (c-cbL) | C pipelined LL-off (c-plL) | C pipelined, podnet\'s recipe (c-plLR) '
      '| CNI bridge (cni-br) | podnet ÷ c-plL | podnet ÷ c-plLR | podnet ÷ cni-br '
      '| podnet del/s | C del/s (1 DELLINK/pod) | C del/s (by group, c-plLR) | CNI del/s | podnet del ÷ C del '
      '| podnet del ÷ C group del |')
print('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|')
for n in ns:
    print('| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (
        n, cell(series('podnet-bridge', n, 'add'), '%.0f'), cell(series('c-cbL', n, 'add'), '%.0f'),
        cell(series('c-plL', n, 'add'), '%.0f'), cell(series('c-plLR', n, 'add'), '%.0f'),
        cell(series('cni-br', n, 'add'), '%.1f'),
        cell(ratio('podnet-bridge', 'c-plL', n, 'add'), '%.2f×'), cell(ratio('podnet-bridge', 'c-plLR', n, 'add'), '%.2f×'),
        cell(ratio('podnet-bridge', 'cni-br', n, 'add'), '%.1f×'),
        cell(series('podnet-bridge', n, 'del'), '%.0f'), cell(series('c-cbL', n, 'del'), '%.1f'),
        cell(series('c-plLR', n, 'del'), '%.0f'), cell(series('cni-br', n, 'del'), '%.1f'),
        cell(ratio('podnet-bridge', 'c-cbL', n, 'del'), '%.1f×'), cell(ratio('podnet-bridge', 'c-plLR', n, 'del'), '%.2f×')))
print('\n### ptp shape\n')
print('| N | podnet add/s | C ptp (c-ptp) | CNI ptp (cni-ptp) | podnet ÷ c-ptp | podnet ÷ cni-ptp | podnet del/s | C del/s | CNI del/s '
      '| podnet del ÷ C del |')
print('|---|---|---|---|---|---|---|---|---|---|')
for n in ns:
    print('| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (
        n, cell(series('podnet-ptp', n, 'add'), '%.0f'), cell(series('c-ptp', n, 'add'), '%.0f'),
        cell(series('cni-ptp', n, 'add'), '%.1f'), cell(ratio('podnet-ptp', 'c-ptp', n, 'add'), '%.2f×'),
        cell(ratio('podnet-ptp', 'cni-ptp', n, 'add'), '%.1f×'), cell(series('podnet-ptp', n, 'del'), '%.0f'),
        cell(series('c-ptp', n, 'del'), '%.1f'), cell(series('cni-ptp', n, 'del'), '%.1f'),
        cell(ratio('podnet-ptp', 'c-ptp', n, 'del'), '%.1f×')))
bad = sorted({(r['label'], r['n'], r['rep']) for r in rows if 'label' in r and 'n' in r and 'rep' in r
              and not verified(r['label'], r['n'], r['rep'])})
print()
print('every run verified (addresses, routes, pings, nothing left after delete)' if not bad
      else 'NOT verified: ' + ', '.join('%s N=%d rep %d' % b for b in bad))
