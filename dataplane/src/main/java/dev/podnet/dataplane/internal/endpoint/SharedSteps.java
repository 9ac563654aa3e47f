package dev.podnet.dataplane.internal.endpoint;

import dev.podnet.dataplane.BridgeFullException;
import dev.podnet.dataplane.EndpointState;
import dev.podnet.dataplane.NetworkMode;
import dev.podnet.dataplane.internal.link.Links;
import dev.podnet.dataplane.internal.link.VethSpec;
import dev.podnet.dataplane.internal.netns.NetnsThread;
import dev.podnet.dataplane.link.MacAddress;
import dev.podnet.dataplane.netns.NetnsException;
import dev.podnet.netlink.Errno;
import dev.podnet.netlink.NetlinkException;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.RequestWriter;
import dev.podnet.netlink.internal.sys.ErrnoException;
import dev.podnet.netlink.route.Ifla;
import dev.podnet.netlink.route.LinkMessage;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import reactor.core.publisher.Mono;

/**
 * The steps every endpoint shape begins and ends with, and what they need: {@code reserve-address}
 * (IPAM), {@code record-creating} and {@code record-ready} (the endpoint's record), {@code open-netns}
 * (the pod namespace's descriptor) and {@code create-veth} (one datagram on the host socket making
 * the veth, its peer in the pod, the host end's tag and hairpin mode), each with its undo; also the
 * per-thread request writer the shapes' host and pod requests are written with, and the kernel's
 * EEXIST and its words said plainly. The shapes themselves are {@link BridgeSteps}, {@link PtpSteps}
 * and {@link VmSteps}.
 */
final class SharedSteps {
    static final Step<AddContext> RESERVE = Step.of("reserve-address", SharedSteps::reserve, SharedSteps::release);
    static final Step<AddContext> RECORD_CREATING =
            Step.of("record-creating", SharedSteps::recordCreating, SharedSteps::dropRecord);
    static final Step<AddContext> OPEN_NETNS =
            Step.of("open-netns", SharedSteps::openNetns, c -> Mono.fromRunnable(c::close));
    static final Step<AddContext> CREATE_VETH =
            Step.of("create-veth", SharedSteps::createVeth, SharedSteps::deleteVeth);
    static final Step<AddContext> RECORD_READY = Step.of("record-ready", SharedSteps::recordReady, c -> Mono.empty());
    /** The endpoint's published ports in podnet's nf_tables table (nothing when it has none). */
    static final Step<AddContext> PUBLISH_PORTS =
            Step.of("publish-ports", SharedSteps::publishPorts, SharedSteps::withdrawPorts);

    /**
     * A shape's steps: the shared ones up to {@code create-veth}, then the shape's {@code own}, then
     * {@code publish-ports} and {@code record-ready}.
     */
    static List<Step<AddContext>> shape(List<Step<AddContext>> own) {
        return Stream.of(
                        Stream.of(RESERVE, RECORD_CREATING, OPEN_NETNS, CREATE_VETH),
                        own.stream(),
                        Stream.of(PUBLISH_PORTS, RECORD_READY))
                .flatMap(steps -> steps)
                .toList();
    }

    /** One writer per thread, reused: a writer only holds its place in the buffer it writes. */
    static final ThreadLocal<RequestWriter> WRITER = ThreadLocal.withInitial(RequestWriter::new);

    private SharedSteps() {}

    private static Mono<Void> reserve(AddContext c) {
        return Mono.<Void>fromRunnable(() -> {
                    AttachedNetwork n = c.network;
                    AttachedNetwork.Reserved got =
                            n.reserve(c.containerId, c.ifName, c.requestedAddress, c.requestedAddress6);
                    c.address = got.address();
                    c.address6 = got.address6();
                    if (c.mac == null) {
                        c.mac = n.record().macFromIp()
                                ? MacAddress.fromIpv4(c.address.address())
                                : MacAddress.randomLocal();
                    }
                    if (n.record().ipv6FromMac()) {
                        c.address6 = c.mac.ipv6In(n.subnet6());
                    }
                })
                .subscribeOn(c.host.state());
    }

    private static Mono<Void> release(AddContext c) {
        return onStateThread(c, () -> c.network.releaseAll(c.containerId, c.ifName));
    }

    private static Mono<Void> recordCreating(AddContext c) {
        return writeRecord(c, EndpointState.CREATING);
    }

    private static Mono<Void> dropRecord(AddContext c) {
        return onStateThread(c, () -> c.host.store().endpoints().remove(c.key()));
    }

    private static Mono<Void> recordReady(AddContext c) {
        return writeRecord(c, EndpointState.READY);
    }

    private static Mono<Void> writeRecord(AddContext c, EndpointState state) {
        return onStateThread(
                c, () -> c.host.store().endpoints().put(c.key(), c.record(state).encode()));
    }

    /** {@code work} on the state thread, where records and reservations are written. */
    private static Mono<Void> onStateThread(AddContext c, Runnable work) {
        return Mono.<Void>fromRunnable(work).subscribeOn(c.host.state());
    }

    /**
     * The pod namespace's descriptor, for {@code IFLA_NET_NS_FD}: an {@code open(2)} of its path on
     * the calling thread. The pod is configured later through a socket made inside it.
     */
    private static Mono<Void> openNetns(AddContext c) {
        return Mono.fromCallable(() -> c.netnsFd = NetnsThread.openNamespace(c.netns))
                .onErrorMap(
                        ErrnoException.class, e -> new NetnsException("netns " + c.netns + ": " + e.getMessage(), e))
                .then();
    }

    private static Mono<Void> createVeth(AddContext c) {
        // a bridge port comes up once its peer is up (port-up), ptp's host end at once (configure-host needs it up)
        boolean bridgePort = bridgePort(c);
        VethSpec spec = new VethSpec(
                c.hostIfName, c.network.bridgeIndex(), c.mtu, 0, c.ifName, c.netnsFd, c.mac, true, !bridgePort);
        // the host end, like the pod's, goes without an IPv6 link-local address: no DAD, MLD or
        // router solicitation from it (flooded to every port of a bridge), and on ptp the host
        // answers the pod's neighbour discovery from its global gateway address. It is down (a bridge
        // port, until port-up) or up without a carrier until the pod's end is up (ptp), so
        // link-local generation turned off in the next message (with the tag) is in time
        String alias = HostNames.alias(c.network.name(), c.containerId, c.ifName);
        boolean hairpin = bridgePort && c.network.record().hairpin();
        // written straight into the datagram; as objects only to describe one that fails
        RequestWriter w = hostWriter();
        Links.writeVethIntoNamespace(w, spec);
        Links.writeSetAliasWithoutLinkLocal(w, c.hostIfName, alias);
        if (hairpin) {
            w.message(Links.hairpinOn(c.hostIfName));
        }
        IntFunction<NetlinkMessage> asObject = i -> switch (i) {
            case 0 -> Links.newVethIntoNamespace(spec);
            case 1 -> Links.setAliasWithoutLinkLocal(c.hostIfName, alias);
            default -> Links.hairpinOn(c.hostIfName);
        };
        return c.host.rtnl()
                .requestEncoded(w.buffer(), w.count(), asObject)
                .flatMap(replies -> {
                    for (var m : replies) {
                        if (m instanceof LinkMessage host && c.hostIfName.equals(host.name())) {
                            c.hostIfIndex = host.index();
                            c.hostMac = EndpointSteps.macText(host);
                            c.podIfIndex = host.attributes().u32(Ifla.IFLA_LINK, 0);
                        }
                    }
                    return Mono.justOrEmpty(c.podIfIndex > 0 ? c.podIfIndex : null);
                })
                // kernels before 6.1 do not echo a new link: ask the pod's namespace by name
                .switchIfEmpty(Mono.defer(() ->
                        c.inPod(pod -> c.podIfIndex = ((LinkMessage) pod.request(Links.getByName(c.ifName))).index())))
                .then(Mono.defer(() -> c.hostIfIndex > 0
                        ? Mono.empty()
                        : c.host.rtnl()
                                .request(Links.getByName(c.hostIfName))
                                .doOnNext(m -> {
                                    c.hostIfIndex = ((LinkMessage) m).index();
                                    c.hostMac = EndpointSteps.macText((LinkMessage) m);
                                })
                                .then()))
                // the batch may have made the veth and then failed (alias, hairpin): a failed step leaves nothing
                .onErrorResume(
                        e -> isExists(e) ? nameTaken(c, e) : deleteVeth(c).then(Mono.error(bridgeFull(c, e))));
    }

    /** {@code EXFULL} from a bridge port's create, said as what it means; other errors as they are. */
    private static Throwable bridgeFull(AddContext c, Throwable e) {
        return bridgePort(c) && NetlinkException.hasErrno(e, Errno.EXFULL)
                ? new BridgeFullException(c.network.name(), c.network.record().bridge(), e)
                : e;
    }

    private static boolean bridgePort(AddContext c) {
        return c.network.mode() == NetworkMode.BRIDGE;
    }

    /** Which of the veth's two names was taken (EEXIST), said plainly: nothing was made. */
    private static Mono<Void> nameTaken(AddContext c, Throwable cause) {
        return c.host.rtnl()
                .request(Links.getByName(c.hostIfName))
                .map(l -> true)
                .onErrorResume(EndpointSteps::isNoDevice, e -> Mono.just(false))
                .flatMap(hostHasIt -> Mono.error(new NameTakenException(
                        hostHasIt
                                ? "host interface " + c.hostIfName + " already exists in the host namespace"
                                        + kernelSaid(cause)
                                : "netns " + c.netns.path() + " already has an interface " + c.ifName
                                        + kernelSaid(cause)
                                        + " (another endpoint's, or the runtime's own): choose another interface name",
                        cause)));
    }

    private static Mono<Void> deleteVeth(AddContext c) {
        return c.host.rtnl()
                .execute(Links.deleteByName(c.hostIfName))
                .onErrorResume(EndpointSteps::isNoDevice, e -> Mono.empty());
    }

    /** The kernel's own words, for a message that explains them: {@code (EEXIST: ext-ack text)}. */
    static String kernelSaid(Throwable e) {
        if (e instanceof NetlinkException n) {
            return " (" + n.errnoName()
                    + (n.extAckMessage() == null || n.extAckMessage().isEmpty() ? "" : ": " + n.extAckMessage()) + ")";
        }
        return "";
    }

    /** EEXIST: the name was taken by something else, which must not be deleted. */
    static boolean isExists(Throwable e) {
        return NetlinkException.hasErrno(e, Errno.EEXIST);
    }

    /** Host requests are written into a pooled direct buffer, which the channel takes over and frees once sent. */
    static RequestWriter hostWriter() {
        return WRITER.get().reset(PooledByteBufAllocator.DEFAULT.directBuffer(512));
    }

    private static Mono<Void> publishPorts(AddContext c) {
        if (c.ports.isEmpty()) {
            return Mono.empty();
        }
        return c.host.nat()
                .addPorts(
                        c.network.record(),
                        c.key(),
                        c.ports,
                        c.address == null ? null : (java.net.Inet4Address) c.address.address(),
                        c.address6 == null ? null : c.address6.address(),
                        c.hostIfName);
    }

    private static Mono<Void> withdrawPorts(AddContext c) {
        return c.host.nat().removePorts(c.ports, c.address != null, c.address6 != null);
    }
}
