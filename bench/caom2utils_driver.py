#!/usr/bin/env python3
"""Runs CADC's caom2utils (PyPI 1.7.4) on a conformance case, offline, for timing comparisons.

    caom2utils_driver.py convert CASE_DIR OUT.xml    one conversion (a fresh process = cold CLI)
    caom2utils_driver.py warm CASE_DIR [N]           N back-to-back conversions in one process
    caom2utils_driver.py check CASE_DIR OUT.xml      convert, then compare with the expected XML
    caom2utils_driver.py compare --caom2pipe BIN --criterion DIR [--runs N] [--warm N] SUITE_DIR...
                                                     time both tools on every case, print the table

CASE_DIR holds a conformance `case.yml`. The command line is the case's `reference_command`
(the upstream tool's own arguments). The reference needs three network touch points; as in the
upstream test harness they are answered locally:

* the storage service's "info" call returns the content type, length and md5 that `case.yml`
  records for the artifact URI;
* VOSpace node metadata likewise;
* a local input without ".fits" in its name that holds no header (BRITE's empty dump) gets the
  minimal header BITPIX=8, NAXIS=4, NAXIS1..4=1.

The function modules (`--module`) are not distributed with the conformance data; `case.yml`
describes what each function returns, and the small modules below implement those
descriptions in Python so that the reference can run the cases that need them.

`warm` prints one line: `first=<s> mean=<s> min=<s> n=<N>`, where first is the first conversion
in the process (after imports) and mean/min are over the N that follow.
"""

import os
import shlex
import sys
import tempfile
import time

import yaml

MODULES = {
    'HD36486': '''
def _get_artifact_product_type(uri):
    return 'science'

def _get_time_axis_range_start_val(uri):
    return 59468.76826100005

def _get_time_axis_range_end_val(uri):
    return 59640.65652099997
''',
    'mega2caom2': '''
import re

_WIDTH = {'Z.MP9801': 1848.0}
_CENTRE = {'Z.MP9801': 9083.0}

def _history_runs(header):
    text = ' '.join(str(h) for h in header.get('HISTORY', []))
    return re.findall(r'[0-9]{6,7}', text)

def getInputs(header):
    return ' '.join(f'caom:CFHT/{d}' for d in _history_runs(header))

def getProvInputs(header):
    return ' '.join(f'caom:CFHT/{d}/{d}p' for d in _history_runs(header))

def getMagnitudeLimit(header):
    for k in ('ML_5SIGA', 'ML_5SIG2', 'ML_50DET'):
        if k in header:
            v = float(header[k])
            if 0 < v < 30:
                return v
    return 0.0

def _token(uri):
    return re.search(r'[A-Z]+[.]MP[0-9]{4}', uri).group(0)

def getFilterWidth(uri):
    return _WIDTH[_token(uri)]

def getFilterCentre(uri):
    return _CENTRE[_token(uri)]
''',
    'N20250101M0624': '''
def get_proposal_id(params):
    return 'PROPOSAL ID'

def get_exposure(params):
    return 4.0

def get_time_delta(params):
    return 12.0

def get_time_function_val(params):
    return params['header'].get('MJD')

def get_energy_chunk_range_start_val(params):
    return {'RED': 649.0, 'BLUE': 499.0}.get(params['header'].get('ARM'))

def get_energy_chunk_range_end_val(params):
    return {'RED': 920.0, 'BLUE': 663.0}[params['header'].get('ARM')]
''',
    'S20230518S0121': '''
from astropy.time import Time

def get_exposure(uri):
    return 1200.0

def _mjd(header, key):
    if 'DATE-OBS' not in header or key not in header:
        return None
    return Time(f"{header['DATE-OBS']} {header[key]}", format='iso', scale='utc').mjd

def get_time_delta(header):
    start = _mjd(header, 'UTSTART')
    end = _mjd(header, 'UTEND')
    if start is None or end is None:
        return None
    return end - start

def get_time_function_val(header):
    return _mjd(header, 'UTSTART')

def _get_energy_chunk_range_start_val(header):
    return {'RED': 520.0, 'BLUE': 347.0}.get(header.get('CAMERA'))

def _get_energy_chunk_range_end_val(header):
    return {'RED': 1060.0, 'BLUE': 530.0}.get(header.get('CAMERA'))
''',
    'mosaic': '''
def _get_observation_proposal_keywords(params):
    return {'surveys', 'catalogs', 'radio continuum: general', 'techniques: image processing'}
''',
    'taosii': '''
from astropy.coordinates import SkyCoord
from astropy import units as u

def _field(f, dataset, name):
    try:
        return f[dataset][name]
    except (KeyError, ValueError):
        return None

def _text(v):
    return v.decode() if hasattr(v, 'decode') else str(v)

def get_exposure(params):
    f = params['base']
    end = _field(f, 'header/timeseries', 'mjdrunend')
    start = _field(f, 'header/timeseries', 'mjdrunstart')
    if end is None or start is None:
        return 0.0
    return float(end - start)

def _position(f):
    ra = _field(f, 'header/object', 'obj_ra')
    dec = _field(f, 'header/object', 'obj_dec')
    return SkyCoord(_text(ra), _text(dec), unit=(u.hourangle, u.deg), frame='icrs')

def get_target_position_cval1(params):
    return _position(params['base']).ra.degree

def get_target_position_cval2(params):
    return _position(params['base']).dec.degree

def get_time_axis_range_end(params):
    return int(_field(params['base'], 'header/timeseries', 'numepochs')) - 1
''',
}


def load_case(case_dir):
    with open(os.path.join(case_dir, 'case.yml')) as f:
        return yaml.safe_load(f)


def install_stand_ins(case):
    """Answers the reference's network calls from case.yml, as the upstream test harness does."""
    from astropy.io import fits
    from cadcdata import FileInfo
    from caom2utils import caom2blueprint, data_util

    by_uri = {i['uri']: i for i in case['inputs'] if i.get('uri')}

    def info(uri):
        i = by_uri.get(uri)
        if i is None:
            return None
        md5 = i.get('content_checksum') or ''
        return FileInfo(id=uri, size=i.get('content_length'), md5sum=md5.replace('md5:', ''),
                        file_type=i.get('content_type'))

    class OfflineStorage:
        def __init__(self, *args, **kwargs):
            pass

        def info(self, uri):
            return info(uri)

        def get_head(self, uri):
            raise RuntimeError(f'offline: no remote header for {uri}')

    data_util.StorageClientWrapper = OfflineStorage
    caom2blueprint._get_vos_meta = lambda subject, uri: info(uri)

    def local_headers(fqn):
        # the upstream harness: names with ".fits" are read as text dumps when they decode,
        # as FITS otherwise; anything else gets a minimal header
        if '.fits' in fqn:
            try:
                with open(fqn) as f:
                    return data_util.make_headers_from_string(f.read())
            except UnicodeDecodeError:
                with fits.open(fqn, memmap=True, lazy_load_hdus=True) as hdulist:
                    hdulist.verify('fix')
                    return [h.header for h in hdulist]
        header = fits.Header()
        header['BITPIX'] = 8
        header['NAXIS'] = 4
        for i in range(1, 5):
            header[f'NAXIS{i}'] = 1
        return [header]

    data_util.get_local_headers_from_fits = local_headers


def module_path(case, tmp):
    module = case.get('module')
    if not module:
        return None
    name = module['name']
    path = os.path.join(tmp, f'{name}.py')
    if not os.path.exists(path):
        with open(path, 'w') as f:
            f.write(MODULES[name])
    return path


def argv_for(case, case_dir, out, tmp):
    """The case's reference command with absolute file names, -o OUT and a real module file."""
    words = shlex.split(case['reference_command'])
    tool = words[0]
    result = [tool]
    i = 1
    file_opts = {'--local', '--blueprint', '--config', '--default', '--override'}
    current = None
    while i < len(words):
        w = words[i]
        if w.startswith('--') or w == '-o':
            current = w
            result.append(w)
            if w == '-o':
                result.append(out)
                i += 2
                continue
            if w == '--module':
                result.append(module_path(case, tmp))
                i += 2
                continue
        elif current in file_opts:
            result.append(os.path.join(case_dir, w))
        else:
            result.append(w)
        i += 1
    return tool, result


def convert(case, case_dir, out, tmp):
    from caom2utils import caom2blueprint, legacy

    tool, argv = argv_for(case, case_dir, out, tmp)
    entry = legacy.main_app if tool == 'fits2caom2' else caom2blueprint.caom2gen
    sys.argv = argv
    try:
        entry()
    except SystemExit as e:
        if e.code not in (None, 0):
            raise RuntimeError(f'{tool} exited with {e.code}') from None


def our_command(case, case_dir, caom2pipe, out):
    """`caom2pipe fits2caom2` as check.py runs it: {obs_arg} -o {out} {tool_args} {local_args}."""
    p = lambda name: os.path.join(case_dir, name)
    cmd = [caom2pipe, 'fits2caom2']
    if case.get('in_xml'):
        cmd += ['--in', p(case['in_xml'])]
    else:
        cmd += ['--observation', case['collection'], case['obs_id']]
    cmd += ['-o', out]
    legacy = case.get('legacy')
    if legacy:
        cmd += ['--config', p(legacy['config']), '--default', p(legacy['default']),
                '--override', p(legacy['override']), '--productID', case['product_id']]
        cmd += [i['uri'] for i in case['inputs'] if i.get('uri')]
    else:
        cmd += ['--blueprint'] + [p(b) for b in case['blueprints']] + ['--lineage'] + case['lineage']
        if case.get('module'):
            cmd += ['--module', case['module']['name']]
    files = [p(i['file']) for i in case['inputs'] if i.get('file')]
    if files:
        cmd += ['--local'] + files
    return cmd


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def compare(argv):
    import argparse
    import json
    import subprocess
    ap = argparse.ArgumentParser(prog='caom2utils_driver.py compare')
    ap.add_argument('--caom2pipe', required=True)
    ap.add_argument('--criterion', required=True, help='target/criterion of cargo bench --bench mapping')
    ap.add_argument('--runs', type=int, default=5, help='fresh processes per case (cold)')
    ap.add_argument('--warm', type=int, default=20, help='in-process conversions per case (warm)')
    ap.add_argument('suites', nargs='+')
    a = ap.parse_args(argv)
    cases = []
    for suite in a.suites:
        for root, _, files in os.walk(suite):
            if 'case.yml' in files:
                cases.append(root)
    cases.sort()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, 'out.xml')
        for case_dir in cases:
            case = load_case(case_dir)
            cid = case['case'] if case['suite'] == 'fits2caom2' else f"{case['suite']}/{case['case']}"
            # Python, cold: a fresh interpreter per conversion (start, imports, one file, XML)
            py_cold = []
            for _ in range(a.runs):
                t0 = time.perf_counter()
                subprocess.run([sys.executable, __file__, 'convert', case_dir, out], check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                py_cold.append(time.perf_counter() - t0)
            # Python, warm: mean of repeated conversions in one process
            r = subprocess.run([sys.executable, __file__, 'warm', case_dir, str(a.warm)], check=True,
                               capture_output=True, text=True)
            fields = dict(kv.split('=') for kv in r.stdout.split())
            py_warm, py_warm_min = float(fields['mean']), float(fields['min'])
            # ours, cold: the CLI as check.py runs it
            ours_cold = []
            cmd = our_command(case, case_dir, a.caom2pipe, out)
            for _ in range(max(a.runs, 10)):
                t0 = time.perf_counter()
                subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                ours_cold.append(time.perf_counter() - t0)
            # ours, warm: criterion's mean for the same mapping in-process, and its fastest
            # sample (the mean of the iterations of one sample)
            bench = os.path.join(a.criterion, 'fits2caom2', cid.replace('/', '_'), 'new')
            if not os.path.exists(bench):
                bench = os.path.join(a.criterion, 'fits2caom2', *cid.split('/'), 'new')
            with open(os.path.join(bench, 'estimates.json')) as f:
                ours_warm = json.load(f)['mean']['point_estimate'] / 1e9
            with open(os.path.join(bench, 'sample.json')) as f:
                sample = json.load(f)
            ours_warm_min = min(t / i for t, i in zip(sample['times'], sample['iters'])) / 1e9
            rows.append((cid, median(py_cold), min(py_cold), py_warm, py_warm_min,
                         median(ours_cold), min(ours_cold), ours_warm, ours_warm_min))
            print(f'{cid}: done', file=sys.stderr)
    print('| case | Python cold median / best (s) | caom2pipe cold median / best (ms) | cold ratio '
          '(median / best) | Python warm mean / best (ms) | caom2pipe warm mean / best (ms) | '
          'warm ratio (mean / best) |')
    print('|---|---:|---:|---:|---:|---:|---:|')
    for cid, pc, pcb, pw, pwb, oc, ocb, ow, owb in rows:
        print(f'| {cid} | {pc:.3f} / {pcb:.3f} | {oc * 1e3:.1f} / {ocb * 1e3:.1f} | '
              f'{pc / oc:.0f}x / {pcb / ocb:.0f}x | {pw * 1e3:.2f} / {pwb * 1e3:.2f} | '
              f'{ow * 1e3:.3f} / {owb * 1e3:.3f} | {pw / ow:.0f}x / {pwb / owb:.0f}x |')
    tot = [sum(r[i] for r in rows) for i in range(1, 9)]
    print(f'| **all {len(rows)} cases** | {tot[0]:.2f} / {tot[1]:.2f} | {tot[4] * 1e3:.1f} / '
          f'{tot[5] * 1e3:.1f} | {tot[0] / tot[4]:.0f}x / {tot[1] / tot[5]:.0f}x | '
          f'{tot[2] * 1e3:.1f} / {tot[3] * 1e3:.1f} | {tot[6] * 1e3:.2f} / {tot[7] * 1e3:.2f} | '
          f'{tot[2] / tot[6]:.0f}x / {tot[3] / tot[7]:.0f}x |')
    print(f'| median ratio | | | {median([r[1] / r[5] for r in rows]):.0f}x / '
          f'{median([r[2] / r[6] for r in rows]):.0f}x | | | '
          f'{median([r[3] / r[7] for r in rows]):.0f}x / {median([r[4] / r[8] for r in rows]):.0f}x |')


def main():
    if sys.argv[1] == 'compare':
        return compare(sys.argv[2:])
    mode, case_dir = sys.argv[1], os.path.abspath(sys.argv[2])
    case = load_case(case_dir)
    install_stand_ins(case)
    import logging
    with tempfile.TemporaryDirectory() as tmp:
        if mode in ('convert', 'check'):
            out = os.path.abspath(sys.argv[3])
            convert(case, case_dir, out, tmp)
            if mode == 'check':
                from caom2 import ObservationReader
                from caom2.diff import get_differences
                reader = ObservationReader(False)
                expected = reader.read(os.path.join(case_dir, case['expected_xml']))
                actual = reader.read(out)
                diffs = get_differences(expected, actual, 'Observation')
                print('\n'.join(diffs) if diffs else 'no differences')
        elif mode == 'warm':
            n = int(sys.argv[3]) if len(sys.argv) > 3 else 20
            out = os.path.join(tmp, 'out.xml')
            t0 = time.perf_counter()
            convert(case, case_dir, out, tmp)
            first = time.perf_counter() - t0
            # the reference re-attaches handlers and filters on every call; keep them quiet
            logging.getLogger().setLevel(logging.ERROR)
            times = []
            for _ in range(n):
                t0 = time.perf_counter()
                convert(case, case_dir, out, tmp)
                times.append(time.perf_counter() - t0)
            print(f'first={first:.6f} mean={sum(times) / len(times):.6f} min={min(times):.6f} n={n}')
        else:
            sys.exit(f'unknown mode {mode}')


if __name__ == '__main__':
    main()
