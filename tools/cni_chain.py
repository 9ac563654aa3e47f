#!/usr/bin/python3
"""Drive a CNI network configuration LIST (a conflist: plugins chained) the way a container runtime
does through libcni (AddNetworkList / DelNetworkList): per pod, each plugin of the list exec'd in
turn, env CNI_COMMAND/CNI_CONTAINERID/CNI_NETNS/CNI_IFNAME/CNI_PATH, the plugin's config on stdin.
shared/peers/cni_driver.py's sibling for chains (same CLI style, same one-line JSON).

Run inside the host sandbox netns (the plugins treat its own netns as "the host"; whatever they
exec, iptables included, inherits it):
    ip netns exec SANDBOX /usr/bin/python3 tools/cni_chain.py ADD|DEL N --conflist FILE \
        --cni-path DIR [--parallel P] [--prefix PFX] [--datadir D] [--publish HOSTPORT_BASE] [--tag T]

Pod i (1..N): CNI_CONTAINERID=pbctr-i, CNI_NETNS=/var/run/netns/PFXi, CNI_IFNAME=eth0,
CNI_PATH=DIR, the binary DIR/<type>. Each plugin's stdin is built as libcni builds it: the plugin's
object from the list with "name" and "cniVersion" copied from the list, "prevResult" the previous
plugin's result (ADD; none for the first plugin), and "runtimeConfig" holding only the capabilities
the plugin declares ("capabilities": {"portMappings": true}). With --publish B, pod i asks for
portMappings [{"hostPort": B + i, "containerPort": 80, "protocol": "tcp"}].
ADD runs the plugins in order; a plugin that exits non-zero (or prints no JSON result) fails the pod
and ends its chain, as libcni does. The chain's final result is kept, as libcni's cache keeps it, in
<datadir>/results/pbctr-i.json. DEL runs the plugins in reverse order, each with that cached result
as "prevResult" (none when the pod has no cached result) and the same runtimeConfig; a DEL that
succeeds removes the cached result, as libcni does. A failing DEL plugin fails the pod and ends its
chain.
Per-pod latency = wall time of the whole chain (every plugin exec and the configs built between
them; the cached result is read before and written after, outside it).
With --parallel P, P pods' chains run concurrently (thread pool); total = wall of the batch.
Prints one JSON line (cni_driver.py's fields; tool "cni-" + "+".join(types), variant with "+publish"
when ports are published); ADD also writes pod->IP map to <datadir>/assigned.json. The first 5
failures go to stderr; exit 1 when any pod failed.
"""
import argparse
import concurrent.futures as cf
import copy
import json
import os
import statistics
import subprocess
import sys
import time

CNI_PATH = '/usr/lib/cni'


def load_conflist(path):
    with open(path) as f:
        lst = json.load(f)
    plugins = lst.get('plugins')
    if not isinstance(plugins, list) or not plugins:
        raise SystemExit('cni_chain: %s: no "plugins" list' % path)
    for k, p in enumerate(plugins):
        if not isinstance(p, dict) or not isinstance(p.get('type'), str) or not p['type']:
            raise SystemExit('cni_chain: %s: plugins[%d] has no "type"' % (path, k))
    if not lst.get('name') or not lst.get('cniVersion'):
        raise SystemExit('cni_chain: %s: the list needs "name" and "cniVersion"' % path)
    return lst


def plugin_config(lst, plugin, prev, capability_args):
    """One plugin's stdin as libcni's buildOneConfig writes it (InjectConf, injectRuntimeConfig)."""
    c = copy.deepcopy(plugin)
    c['name'] = lst['name']
    c['cniVersion'] = lst['cniVersion']
    if prev is not None:
        c['prevResult'] = prev
    caps = plugin.get('capabilities') or {}
    rc = {k: v for k, v in capability_args.items() if caps.get(k) is True}
    if rc:
        c['runtimeConfig'] = rc
    return json.dumps(c).encode()


def stats(lat):
    s = sorted(lat)
    return {'median': statistics.median(s), 'p99': s[int(0.99 * (len(s) - 1) + 0.5)],
            'mean': statistics.fmean(s), 'min': s[0], 'max': s[-1]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('cmd', choices=['ADD', 'DEL'])
    ap.add_argument('n', type=int)
    ap.add_argument('--conflist', required=True)
    ap.add_argument('--cni-path', default=CNI_PATH)
    ap.add_argument('--parallel', type=int, default=1)
    ap.add_argument('--prefix', default='pb-pod-')
    ap.add_argument('--datadir', default='/tmp/peers/cni-chain')
    ap.add_argument('--publish', type=int, default=None, metavar='HOSTPORT_BASE')
    ap.add_argument('--tag', default='')
    a = ap.parse_args()
    if a.n < 1:
        raise SystemExit('cni_chain: N must be at least 1')
    if a.publish is not None and (a.publish < 0 or a.publish + a.n > 65535):
        raise SystemExit('cni_chain: host ports %d..%d out of 1..65535' % (a.publish + 1, a.publish + a.n))

    lst = load_conflist(a.conflist)
    plugins = lst['plugins']
    order = plugins if a.cmd == 'ADD' else list(reversed(plugins))
    results_dir = os.path.join(a.datadir, 'results')
    os.makedirs(results_dir, exist_ok=True)
    base_env = {'PATH': '/usr/sbin:/usr/bin:/sbin:/bin'}
    errors = []

    def one(i):
        cid = 'pbctr-%d' % i
        cache = os.path.join(results_dir, cid + '.json')
        capability_args = {}
        if a.publish is not None:
            capability_args['portMappings'] = [
                {'hostPort': a.publish + i, 'containerPort': 80, 'protocol': 'tcp'}]
        cached = None
        if a.cmd == 'DEL':
            try:
                with open(cache) as f:
                    cached = json.load(f)
            except (OSError, ValueError):
                cached = None
        env = dict(base_env, CNI_COMMAND=a.cmd, CNI_CONTAINERID=cid,
                   CNI_NETNS='/var/run/netns/%s%d' % (a.prefix, i), CNI_IFNAME='eth0',
                   CNI_PATH=a.cni_path)
        prev = cached
        ok = True
        t0 = time.perf_counter()
        for plugin in order:
            stdin = plugin_config(lst, plugin, prev, capability_args)
            p = subprocess.run([os.path.join(a.cni_path, plugin['type'])], input=stdin,
                               capture_output=True, env=env)
            if p.returncode != 0:
                errors.append((i, plugin['type'], p.stdout[:300] + p.stderr[:300]))
                ok = False
                break
            if a.cmd == 'ADD':
                try:
                    prev = json.loads(p.stdout)
                except ValueError:
                    errors.append((i, plugin['type'], b'no JSON result: ' + p.stdout[:300]))
                    ok = False
                    break
        dt = (time.perf_counter() - t0) * 1e3
        if ok and a.cmd == 'ADD':
            tmp = cache + '.tmp'
            with open(tmp, 'w') as f:
                json.dump(prev, f)
            os.replace(tmp, cache)
        elif ok and a.cmd == 'DEL':
            try:
                os.unlink(cache)
            except FileNotFoundError:
                pass
        return i, dt, ok, prev if a.cmd == 'ADD' else None

    lat = {}
    ips = {}
    T0 = time.perf_counter()
    if a.parallel <= 1:
        results = map(one, range(1, a.n + 1))
    else:
        ex = cf.ThreadPoolExecutor(max_workers=a.parallel)
        results = ex.map(one, range(1, a.n + 1))
    for i, dt, ok, result in results:
        lat[i] = dt
        if a.cmd == 'ADD' and ok:
            try:
                ips[i] = result['ips'][0]['address']
            except Exception:
                pass
    total = time.perf_counter() - T0
    if a.cmd == 'ADD':
        with open(os.path.join(a.datadir, 'assigned.json'), 'w') as f:
            json.dump(ips, f)
    for i, ptype, msg in sorted(errors)[:5]:
        print('cni_chain: pod %d failed in %s: %r' % (i, ptype, msg), file=sys.stderr)
    types = [p['type'] for p in plugins]
    first = plugins[0]
    shape = first.get('mode', 'ptp' if first['type'] == 'ptp' else 'bridge')
    print(json.dumps({'tool': 'cni-' + '+'.join(types), 'shape': shape,
                      'variant': ('seq' if a.parallel <= 1 else 'par%d' % a.parallel) + '+host-local' +
                      ('+publish' if a.publish is not None else ''),
                      'op': {'ADD': 'add', 'DEL': 'del'}[a.cmd],
                      'n': a.n, 'total_s': total, 'errors': len(errors), 'tag': a.tag,
                      'lat_ms': stats(list(lat.values()))}))
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
