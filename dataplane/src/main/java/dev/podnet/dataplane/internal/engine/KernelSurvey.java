package dev.podnet.dataplane.internal.engine;

import dev.podnet.dataplane.EndpointState;
import dev.podnet.dataplane.NetworkMode;
import dev.podnet.dataplane.internal.endpoint.AddContext;
import dev.podnet.dataplane.internal.endpoint.AttachedNetwork;
import dev.podnet.dataplane.internal.endpoint.EndpointRecord;
import dev.podnet.dataplane.internal.endpoint.EndpointSteps;
import dev.podnet.dataplane.internal.endpoint.HostContext;
import dev.podnet.dataplane.internal.endpoint.HostNames;
import dev.podnet.dataplane.internal.link.Addresses;
import dev.podnet.dataplane.internal.link.Links;
import dev.podnet.dataplane.internal.link.Routes;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.link.MacAddress;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.netlink.Errno;
import dev.podnet.netlink.NetlinkException;
import dev.podnet.netlink.channel.NetlinkClient;
import dev.podnet.netlink.internal.sys.ErrnoException;
import dev.podnet.netlink.internal.sys.LibC;
import dev.podnet.netlink.route.AddressMessage;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.netlink.route.NsidMessage;
import dev.podnet.netlink.route.RouteMessage;
import dev.podnet.netlink.route.Rta;
import dev.podnet.netlink.route.Rtm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * What the kernel holds, read for the {@link StateReconciler}, which decides what to do about it:
 * the host links podnet tagged ({@code podnet:<network>:<key>}), the sandbox namespaces pinned
 * under the namespace directories by the ids the host knows them by, and a tagged link's sandbox
 * (its peer, the peer's addresses and routes, a VM's tap and bridge) rebuilt into the record of
 * the endpoint it belongs to, or why it cannot be. It only reads: nothing here changes the kernel,
 * the records or the IPAM.
 */
final class KernelSurvey {
    private final HostContext host;
    private final List<Path> netnsDirs;

    /** @param netnsDirs where to look for the namespace of an endpoint to adopt */
    KernelSurvey(HostContext host, List<Path> netnsDirs) {
        this.host = host;
        this.netnsDirs = netnsDirs;
    }

    /** A rebuilt record, or why there is none. */
    record Found(EndpointRecord record, String why) {}

    /** The host links that carry podnet's tag, by the key of the endpoint the tag names. */
    Mono<Map<String, LinkMessage>> taggedLinks() {
        return host.rtnl()
                .dump(Links.dumpAll())
                .cast(LinkMessage.class)
                .filter(l -> HostNames.parse(l.alias()) != null)
                .collectMap(l -> HostNames.parse(l.alias()).key(), l -> l);
    }

    /**
     * The namespaces pinned under {@link #netnsDirs}, by the id they have as seen from the host
     * namespace ({@code RTM_GETNSID} on an open descriptor of each): the id a host veth end's
     * {@code IFLA_LINK_NETNSID} names its peer's namespace by.
     */
    Mono<Map<Integer, Path>> namespacesById() {
        return Mono.fromCallable(this::pinnedNamespaces)
                .subscribeOn(Schedulers.boundedElastic())
                .flatMapMany(Flux::fromIterable)
                .flatMap(
                        path -> Mono.using(
                                () -> openOrNull(path),
                                fd -> fd < 0
                                        ? Mono.empty()
                                        : host.rtnl()
                                                .request(NsidMessage.getByFd(fd))
                                                .cast(NsidMessage.class)
                                                .filter(m -> m.nsid() >= 0)
                                                .map(m -> Map.entry(m.nsid(), path))
                                                .onErrorResume(e -> Mono.empty()),
                                KernelSurvey::closeQuietly),
                        32)
                .collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    private List<Path> pinnedNamespaces() throws IOException {
        Set<Path> seen = new LinkedHashSet<>();
        List<Path> out = new ArrayList<>();
        for (Path dir : netnsDirs) {
            if (!Files.isDirectory(dir) || !seen.add(dir.toRealPath())) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(Files::isRegularFile).sorted().forEach(out::add);
            }
        }
        return out;
    }

    private static int openOrNull(Path path) {
        try {
            return LibC.open(path.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        } catch (ErrnoException e) {
            return -1;
        }
    }

    private static void closeQuietly(int fd) {
        if (fd >= 0) {
            try {
                LibC.close(fd);
            } catch (ErrnoException ignored) {
                // nothing to do
            }
        }
    }

    /**
     * Reads {@code link}'s sandbox {@code netns} through a socket made inside it (closed after) and
     * rebuilds the record of the endpoint {@code tag} names on network {@code n}; fails when the
     * sandbox cannot be read.
     */
    Mono<Found> sandbox(LinkMessage link, HostNames.Tag tag, AttachedNetwork n, Path netns) {
        return Mono.usingWhen(
                host.netns().openRouteSocket(NetNs.ofPath(netns)).flatMap(s -> NetlinkClient.open(host.loops(), s)),
                pod -> readSandbox(pod, link, tag, n, netns),
                NetlinkClient::close);
    }

    private Mono<Found> readSandbox(
            NetlinkClient pod, LinkMessage link, HostNames.Tag tag, AttachedNetwork n, Path netns) {
        return pod.dump(Links.dumpAll()).cast(LinkMessage.class).collectList().flatMap(links -> {
            LinkMessage peer = links.stream()
                    .filter(l -> l.index() == link.link())
                    .findFirst()
                    .orElse(null);
            if (peer == null || !tag.ifName().equals(peer.name())) {
                return Mono.just(new Found(null, "no " + tag.ifName() + " as its peer in " + netns));
            }
            String vmTap = AddContext.vmTapName(tag.ifName());
            // a VM endpoint's tap carries the VM's tag
            LinkMessage vmTagged = links.stream()
                    .filter(l -> vmTap.equals(l.name()))
                    .filter(l -> l.alias() != null && l.alias().startsWith(EndpointSteps.VM_TAG))
                    .findFirst()
                    .orElse(null);
            boolean vm = vmTagged != null;
            Mono<List<AddressMessage>> addrs = pod.dump(Addresses.dumpOf(Rtm.AF_UNSPEC, peer.index()))
                    .cast(AddressMessage.class)
                    .collectList();
            Mono<List<RouteMessage>> routes = Flux.just(Rtm.AF_INET, Rtm.AF_INET6)
                    // a family without a single route has no main table yet (ENOENT)
                    .concatMap(f -> pod.dump(Routes.dumpTable(f, Rta.RT_TABLE_MAIN))
                            .cast(RouteMessage.class)
                            .onErrorResume(e -> NetlinkException.hasErrno(e, Errno.ENOENT), e -> Flux.empty()))
                    .filter(r -> r.outputInterface() == peer.index() && r.gateway() != null && r.dstLength() > 0)
                    .collectList();
            // one dump at a time on a socket (the kernel answers a second with EBUSY)
            return addrs.zipWhen(a -> routes)
                    .map(t -> rebuild(link, tag, n, netns, peer, vm ? vmTap : "", vmTagged, t.getT1(), t.getT2()));
        });
    }

    private Found rebuild(
            LinkMessage link,
            HostNames.Tag tag,
            AttachedNetwork n,
            Path netns,
            LinkMessage peer,
            String vmTap,
            LinkMessage vmTagged,
            List<AddressMessage> addrs,
            List<RouteMessage> routes) {
        String address = "";
        String address6 = "";
        String mac = peer.hardwareAddress() == null ? "" : new MacAddress(peer.hardwareAddress()).toString();
        if (!vmTap.isEmpty()) {
            // a VM endpoint's interface gave its address and MAC to the VM; the tap's alias keeps them
            String alias = vmTagged.alias();
            String[] f = alias.substring(EndpointSteps.VM_TAG.length()).split("\\|", -1);
            address = f[0];
            address6 = f.length > 1 ? f[1] : "";
            mac = f.length > 2 ? f[2] : mac;
        } else {
            for (AddressMessage a : addrs) {
                if (a.address() == null) {
                    continue;
                }
                Cidr c = new Cidr(a.address(), a.prefixLength());
                if (a.family() == Rtm.AF_INET && n.ipv4() && n.rangeOf(a.address()) != null) {
                    address = c.toString();
                } else if (a.family() == Rtm.AF_INET6
                        && n.subnet6() != null
                        && n.subnet6().contains(a.address())) {
                    address6 = c.toString();
                }
            }
        }
        if (n.ipv4() && address.isEmpty()) {
            return new Found(
                    null, tag.ifName() + " in " + netns + " holds no address of " + n.subnet() + " (an add cut short)");
        }
        if (n.subnet6() != null && address6.isEmpty()) {
            return new Found(
                    null,
                    tag.ifName() + " in " + netns + " holds no address of " + n.subnet6() + " (an add cut short)");
        }
        String podName = "";
        String podNamespace = "";
        if (peer.alias() != null && peer.alias().startsWith(EndpointSteps.POD_TAG)) {
            String p = peer.alias().substring(EndpointSteps.POD_TAG.length());
            int slash = p.indexOf('/');
            if (slash >= 0) {
                podNamespace = p.substring(0, slash);
                podName = p.substring(slash + 1);
            }
        }
        List<String> extra = new ArrayList<>();
        for (RouteMessage r : routes) {
            Cidr dst = new Cidr(r.destination(), r.dstLength());
            boolean shapeOwn =
                    n.mode() == NetworkMode.PTP && n.rangeOf(dst.address()) != null && dst.equals(n.subnetOf(dst));
            if (!shapeOwn) {
                extra.add(dst + " via " + Cidr.text(r.gateway()));
            }
        }
        // the network's MTU (0: the kernel's 1500) unless the endpoint was given its own
        int mtu = peer.mtu() == (n.mtu() == 0 ? 1500 : n.mtu()) ? n.mtu() : peer.mtu();
        EndpointRecord record = new EndpointRecord(
                tag.containerId(),
                tag.ifName(),
                n.name(),
                netns.toString(),
                link.name(),
                mac,
                address,
                address.isEmpty() ? "" : Cidr.text(n.gatewayOf(Cidr.parse(address))),
                EndpointState.READY,
                System.currentTimeMillis(),
                podName,
                podNamespace,
                vmTap,
                address6,
                n.gateway6() == null ? "" : Cidr.text(n.gateway6()),
                "",
                mtu,
                extra,
                EndpointSteps.macText(link),
                List.of()); // published ports leave no trace on the link: a re-adopted endpoint has none
        return new Found(record, null);
    }
}
