#!/usr/bin/env python3
"""Audits the midway status against the annual analysis released from the same registers: for
synthetic draws (6,000 persons, 2021-2024, seeds 1-3), runs `run --all --report midway --as-of
2024-08-15` and then the annual analysis into one output root, and counts the released count
pairs (numerator, denominator of the same cell) whose difference is 1 to 4 persons: a count below
the threshold worked out by subtraction between the two releases (issue 37's leak class L5).
Prints the counts per draw and the first findings; exits 1 when any is found.

Usage: tools/release_difference_audit.py [ULIGHED_BINARY]   (from the repository root)
"""
import csv, subprocess, sys, os
B=sys.argv[1] if len(sys.argv) > 1 else "target/debug/ulighed"
T=5
found=0
for seed in [1,2,3]:
    d=f'/tmp/ulighed-release-audit/s{seed}'; reg=f'{d}/reg'; out=f'{d}/out'
    if not os.path.exists(reg):
        subprocess.run([B,'synth','--persons','6000','--years','2021-2024','--seed',str(seed),'--out',reg,'--contacts-per-person-year','0.3','--prescriptions-per-person-year','0.3'],check=True,capture_output=True)
    subprocess.run(['rm','-rf',out])
    cwd=os.getcwd()
    m=subprocess.run([B,'run','--all','--registers',reg,'--out',out,'--report','midway','--as-of','2024-08-15'],cwd=cwd,capture_output=True)
    mid={}
    ids=[x for x in os.listdir(out) if not x.startswith('.') and x not in('midtvejsstatus','aarsanalyse')]
    for i in ids:
        for r in csv.DictReader(open(f'{out}/{i}/tables/{i}.csv')):
            mid[(i,r['outcome'],r['subanalysis'],r['year'],r['measure'],r['dimension'],r['group'])]=r
    a=subprocess.run([B,'run','--all','--registers',reg,'--out',out,'--as-of','2025-01-31'],cwd=cwd,capture_output=True)
    audited=0; leaks=[]
    for i in ids:
        for r in csv.DictReader(open(f'{out}/{i}/tables/{i}.csv')):
            if r['measure']!='proportion': continue
            k=(i,r['outcome'],r['subanalysis'],r['year'],r['measure'],r['dimension'],r['group'])
            mr=mid.get(k)
            if not mr: continue
            for c in ('numerator','denominator'):
                if r[c] and mr[c]:
                    audited+=1
                    dlt=int(r[c])-int(mr[c])
                    if 0<dlt<T: leaks.append((k,c,dlt))
    print(f'seed {seed}: midway exit {m.returncode}, annual exit {a.returncode}, audited {audited} count pairs, {len(leaks)} differences of 1-{T-1}')
    for l in leaks[:3]: print('  ',l)
    found+=len(leaks)
sys.exit(1 if found else 0)
