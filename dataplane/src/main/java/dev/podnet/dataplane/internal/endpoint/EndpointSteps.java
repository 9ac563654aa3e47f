package dev.podnet.dataplane.internal.endpoint;

import dev.podnet.dataplane.EndpointState;
import dev.podnet.dataplane.NetworkMode;
import dev.podnet.dataplane.internal.link.Addresses;
import dev.podnet.dataplane.internal.link.Links;
import dev.podnet.dataplane.internal.link.Routes;
import dev.podnet.dataplane.internal.link.VethSpec;
import dev.podnet.dataplane.internal.netns.NetnsThread;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.link.MacAddress;
import dev.podnet.netlink.Errno;
import dev.podnet.netlink.NetlinkException;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.RequestWriter;
import dev.podnet.netlink.route.Ifla;
import dev.podnet.netlink.route.LinkMessage;
import java.util.List;
import java.util.function.IntFunction;
import reactor.core.publisher.Mono;

/**
 * The endpoint shapes as step lists with undo.
 *
 * <p>Bridge (libnetwork's bridge driver, CNI bridge):
 * <ol>
 * <li>{@code reserve-address}: IPAM reserves the pod's address;</li>
 * <li>{@code record-creating}: the endpoint is recorded as CREATING;</li>
 * <li>{@code open-netns}: the pod namespace is opened, and a netlink socket inside it;</li>
 * <li>{@code create-veth}: one datagram on the host socket creates the veth with its peer inside
 *     the pod as {@code ifName}, MAC, MTU and master bridge set, turns IPv6 link-local generation
 *     off on the host end and tags it with an alias naming the endpoint, and
 *     (network option) puts the port in hairpin mode;</li>
 * <li>{@code configure-pod}: one datagram on the pod socket turns IPv6 link-local generation off
 *     and brings the interface up (IPv4 networks), adds the address and the default route;</li>
 * <li>{@code port-up}: the host end comes up, now that its peer is (the bridge enables the port
 *     once, instead of three times: see {@link Links#newVethIntoNamespace});</li>
 * <li>{@code record-ready}: the record becomes READY.</li>
 * </ol>
 * Point-to-point (CNI ptp): the same, except that the veth has no master and its host end comes up
 * in the create (no {@code port-up}), a {@code configure-host}
 * step gives the host end the gateway as a /32 and a /32 route to the pod, and the pod gets its
 * address without the subnet's prefix route, a scope-link route to the gateway, the subnet via the
 * gateway, and the default route via the gateway (so all traffic goes through the host).
 * Undos: release the address, drop the record, close the namespace, delete the veth (which takes
 * every address and route on both ends with it).
 */
public final class EndpointSteps {
    private static final Step<AddContext> RESERVE =
            Step.of("reserve-address", EndpointSteps::reserve, EndpointSteps::release);
    private static final Step<AddContext> RECORD_CREATING =
            Step.of("record-creating", EndpointSteps::recordCreating, EndpointSteps::dropRecord);
    private static final Step<AddContext> OPEN_NETNS =
            Step.of("open-netns", EndpointSteps::openNetns, c -> Mono.fromRunnable(c::close));
    private static final Step<AddContext> CREATE_VETH =
            Step.of("create-veth", EndpointSteps::createVeth, EndpointSteps::deleteVeth);
    private static final Step<AddContext> RECORD_READY =
            Step.of("record-ready", EndpointSteps::recordReady, c -> Mono.empty());
    private static final Step<AddContext> PORT_UP = Step.of("port-up", EndpointSteps::portUp, c -> Mono.empty());

    /** The bridge shape. */
    public static final List<Step<AddContext>> BRIDGE = List.of(
            RESERVE,
            RECORD_CREATING,
            OPEN_NETNS,
            CREATE_VETH,
            Step.of("configure-pod", EndpointSteps::configureBridgePod, c -> Mono.empty()),
            PORT_UP,
            RECORD_READY);

    /** The point-to-point shape. */
    public static final List<Step<AddContext>> PTP = List.of(
            RESERVE,
            RECORD_CREATING,
            OPEN_NETNS,
            CREATE_VETH,
            Step.of("configure-host", EndpointSteps::configurePtpHost, c -> Mono.empty()),
            Step.of("configure-pod", EndpointSteps::configurePtpPod, c -> Mono.empty()),
            RECORD_READY);

    /**
     * The alias of a sandbox interface that keeps the pod's Kubernetes namespace and name,
     * {@code podnet-pod:<namespace>/<name>}, so that a record rebuilt from the kernel has them.
     */
    public static final String POD_TAG = "podnet-pod:";

    /**
     * The alias of a VM endpoint's sandbox bridge, {@code podnet-vm:<address>|<address6>|<mac>}: what
     * the VM was handed (and the sandbox interface no longer holds), for a record rebuilt from the kernel.
     */
    public static final String VM_TAG = "podnet-vm:";

    private EndpointSteps() {}

    /**
     * The VM shape (Virtlet), on a bridge network: the bridge shape, then {@code vm-tap} (a
     * persistent tap inside the sandbox, made on the namespace thread) and {@code vm-bridge} (a
     * bridge inside the sandbox joining the tap and the interface; the interface's address and
     * default route are stripped, to be claimed by the VM, which also takes the interface's MAC
     * while the interface gets a new one).
     */
    public static final List<Step<AddContext>> VM = List.of(
            RESERVE,
            RECORD_CREATING,
            OPEN_NETNS,
            CREATE_VETH,
            Step.of("configure-pod", EndpointSteps::configureBridgePod, c -> Mono.empty()),
            PORT_UP,
            Step.of("vm-tap", EndpointSteps::createTap, c -> deleteInPod(c, AddContext.vmTapName(c.ifName))),
            Step.of("vm-bridge", EndpointSteps::joinTap, c -> deleteInPod(c, AddContext.vmBridgeName(c.ifName))),
            Step.of(
                    "vm-dhcp",
                    EndpointSteps::startDhcp,
                    c -> Mono.fromRunnable(() -> c.host.dhcp().stop(c.key()))),
            RECORD_READY);

    /** Starts the DHCP responder that serves the VM what its sandbox interface was stripped of. */
    public static Mono<Void> startDhcp(AddContext c) {
        return startDhcp(c.host, c.record(EndpointState.READY), c.network.record());
    }

    /** Starts (or restarts) {@code r}'s DHCP responder on its sandbox bridge. */
    public static Mono<Void> startDhcp(
            HostContext host, EndpointRecord r, dev.podnet.dataplane.internal.state.NetworkRecord network) {
        return host.dhcp()
                .start(
                        r.key(),
                        () -> dev.podnet.dataplane.internal.dhcp.DhcpResponder.open(
                                host.netns(),
                                dev.podnet.dataplane.netns.NetNs.ofPath(java.nio.file.Path.of(r.netns())),
                                AddContext.vmBridgeName(r.ifName()),
                                host.loops(),
                                new dev.podnet.dataplane.internal.dhcp.DhcpServer(VmLease.of(r, network))));
    }

    /** The steps of {@code mode}'s shape, or of the VM shape. */
    public static List<Step<AddContext>> forShape(NetworkMode mode, boolean vm) {
        if (vm) {
            return VM;
        }
        return mode == NetworkMode.PTP ? PTP : BRIDGE;
    }

    private static Mono<Void> createTap(AddContext c) {
        String tap = AddContext.vmTapName(c.ifName);
        return c.host.netns()
                .inside(c.netns, () -> {
                    dev.podnet.dataplane.internal.link.TapDevices.createPersistentTap(tap);
                    return tap;
                })
                .then();
    }

    private static Mono<Void> joinTap(AddContext c) {
        String tap = AddContext.vmTapName(c.ifName);
        String bridgeName = AddContext.vmBridgeName(c.ifName);
        return c.inPod(pod -> {
                    int br = ((LinkMessage) pod.request(Links.newBridge(bridgeName, c.mtu))).index();
                    try {
                        int tapIndex = ((LinkMessage) pod.request(Links.getByName(tap))).index();
                        // the interface's routes and addresses go to the VM (served by DHCP): routes first, while their
                        // gateways are reachable
                        List<dev.podnet.netlink.NetlinkMessage> batch =
                                new java.util.ArrayList<>(List.of(Links.noIpv6LinkLocal(br), Links.up(br)));
                        for (NetlinkMessage route : networkRoutes(c)) {
                            batch.add(Routes.delete((dev.podnet.netlink.route.RouteMessage) route));
                        }
                        if (c.defaultRoute()) {
                            batch.add(Routes.deleteDefaultVia(c.gateway4(), c.podIfIndex));
                        }
                        batch.add(Addresses.delete(c.podIfIndex, c.address));
                        if (c.address6 != null) {
                            if (c.defaultRoute()) {
                                batch.add(Routes.deleteDefaultVia(c.network.gateway6(), c.podIfIndex));
                            }
                            batch.add(Addresses.delete(c.podIfIndex, c.address6));
                        }
                        batch.addAll(List.of(
                                Links.setAlias(
                                        bridgeName,
                                        VM_TAG + c.address + "|" + (c.address6 == null ? "" : c.address6) + "|"
                                                + c.mac),
                                Links.setMac(c.podIfIndex, MacAddress.randomLocal()),
                                Links.setMaster(c.podIfIndex, br),
                                Links.noIpv6LinkLocal(tapIndex),
                                Links.setMaster(tapIndex, br),
                                Links.up(tapIndex)));
                        if (c.mtu > 0) {
                            batch.add(Links.setMtu(tapIndex, c.mtu)); // the VM's link carries the endpoint's MTU too
                        }
                        pod.executeBatch(batch);
                    } catch (RuntimeException e) {
                        // the sandbox bridge exists by now: a failed step leaves nothing
                        try {
                            pod.execute(Links.deleteByName(bridgeName));
                        } catch (RuntimeException suppressed) {
                            e.addSuppressed(suppressed);
                        }
                        throw e;
                    }
                    return true;
                })
                .then();
    }

    private static Mono<Void> deleteInPod(AddContext c, String name) {
        if (c.netnsFd < 0) {
            return Mono.empty(); // the namespace was never opened: nothing was made in it
        }
        return c.inPod(pod -> {
                    try {
                        pod.execute(Links.deleteByName(name));
                    } catch (NetlinkException e) {
                        if (e.errno() != Errno.ENODEV) {
                            throw e;
                        }
                    }
                    return true;
                })
                .then();
    }

    private static Mono<Void> reserve(AddContext c) {
        return Mono.<Void>fromRunnable(() -> {
                    AttachedNetwork n = c.network;
                    try {
                        if (n.allocator() != null) {
                            c.address = c.requestedAddress != null
                                    ? n.allocator().allocateStatic(c.containerId, c.ifName, c.requestedAddress)
                                    : n.allocator().allocate(c.containerId, c.ifName);
                        }
                        if (n.allocator6() != null) {
                            c.address6 = c.requestedAddress6 != null
                                    ? n.allocator6().allocateStatic(c.containerId, c.ifName, c.requestedAddress6)
                                    : n.allocator6().allocate(c.containerId, c.ifName);
                        }
                    } catch (RuntimeException e) {
                        n.releaseAll(c.containerId, c.ifName);
                        throw e;
                    }
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
        return Mono.<Void>fromRunnable(() -> c.network.releaseAll(c.containerId, c.ifName))
                .subscribeOn(c.host.state());
    }

    private static Mono<Void> recordCreating(AddContext c) {
        return Mono.<Void>fromRunnable(() -> c.host.store()
                        .endpoints()
                        .put(
                                EndpointRecord.key(c.containerId, c.ifName),
                                c.record(EndpointState.CREATING).encode()))
                .subscribeOn(c.host.state());
    }

    private static Mono<Void> dropRecord(AddContext c) {
        return Mono.<Void>fromRunnable(
                        () -> c.host.store().endpoints().remove(EndpointRecord.key(c.containerId, c.ifName)))
                .subscribeOn(c.host.state());
    }

    private static Mono<Void> recordReady(AddContext c) {
        return Mono.<Void>fromRunnable(() -> c.host.store()
                        .endpoints()
                        .put(
                                EndpointRecord.key(c.containerId, c.ifName),
                                c.record(EndpointState.READY).encode()))
                .subscribeOn(c.host.state());
    }

    /**
     * The pod namespace's descriptor, for {@code IFLA_NET_NS_FD}: an {@code open(2)} of its path on
     * the calling thread. The pod is configured later through a socket made inside it.
     */
    private static Mono<Void> openNetns(AddContext c) {
        return Mono.fromCallable(() -> c.netnsFd = NetnsThread.openNamespace(c.netns))
                .onErrorMap(
                        dev.podnet.netlink.internal.sys.ErrnoException.class,
                        e -> new dev.podnet.dataplane.netns.NetnsException(
                                "netns " + c.netns + ": " + e.getMessage(), e))
                .then();
    }

    private static Mono<Void> createVeth(AddContext c) {
        // a bridge port comes up once its peer is up (port-up), ptp's host end at once (configure-host needs it up)
        boolean bridgePort = c.network.mode() == NetworkMode.BRIDGE;
        VethSpec spec = new VethSpec(
                c.hostIfName, c.network.bridgeIndex(), c.mtu, 0, c.ifName, c.netnsFd, c.mac, true, !bridgePort);
        // the host end, like the pod's, goes without an IPv6 link-local address: no DAD, MLD or
        // router solicitation from it (flooded to every port of a bridge), and on ptp the host
        // answers the pod's neighbour discovery from its global gateway address. It is down (a bridge
        // port, until port-up) or up without a carrier until the pod's end is up (ptp), so
        // link-local generation turned off in the next message (with the tag) is in time
        String alias = HostNames.alias(c.network.name(), c.containerId, c.ifName);
        boolean hairpin =
                c.network.mode() == NetworkMode.BRIDGE && c.network.record().hairpin();
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
                            c.hostMac = macText(host);
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
                                    c.hostMac = macText((LinkMessage) m);
                                })
                                .then()))
                // the batch may have made the veth and then failed (alias, hairpin): a failed step leaves nothing
                .onErrorResume(
                        e -> isExists(e) ? nameTaken(c, e) : deleteVeth(c).then(Mono.error(e)));
    }

    /** A link's MAC as text, or empty when the message carries none. */
    public static String macText(LinkMessage l) {
        byte[] a = l.hardwareAddress();
        return a == null || a.length != 6 ? "" : new MacAddress(a).toString();
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

    /** The kernel's own words, for a message that explains them: {@code (EEXIST: ext-ack text)}. */
    static String kernelSaid(Throwable e) {
        if (e instanceof NetlinkException n) {
            return " (" + n.errnoName()
                    + (n.extAckMessage() == null || n.extAckMessage().isEmpty() ? "" : ": " + n.extAckMessage()) + ")";
        }
        return "";
    }

    /**
     * Brings the bridge port up, after the pod's end: the bridge then enables the port once, as it
     * comes up with its carrier (see {@link Links#newVethIntoNamespace}). Concurrent adds' ups
     * share datagrams on the host channel.
     */
    private static Mono<Void> portUp(AddContext c) {
        RequestWriter w = Links.writeUp(hostWriter(), c.hostIfIndex);
        return c.host.rtnl()
                .requestEncoded(w.buffer(), 1, i -> Links.up(c.hostIfIndex))
                .then();
    }

    /** Host requests are written into a pooled direct buffer, which the channel takes over and frees once sent. */
    private static RequestWriter hostWriter() {
        return WRITER.get().reset(io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(512));
    }

    /** One writer per thread, reused: a writer only holds its place in the buffer it writes. */
    private static final ThreadLocal<RequestWriter> WRITER = ThreadLocal.withInitial(RequestWriter::new);

    /** Pod requests go through a heap buffer per thread, reused: retained for each send, which releases it once copied out. */
    private static final ThreadLocal<io.netty.buffer.ByteBuf> POD_BUFFER =
            ThreadLocal.withInitial(() -> io.netty.buffer.Unpooled.buffer(1024));

    /** EEXIST: the name was taken by something else, which must not be deleted. */
    private static boolean isExists(Throwable e) {
        return NetlinkException.hasErrno(e, Errno.EEXIST);
    }

    private static Mono<Void> deleteVeth(AddContext c) {
        return c.host.rtnl()
                .execute(Links.deleteByName(c.hostIfName))
                .onErrorResume(EndpointSteps::isNoDevice, e -> Mono.empty());
    }

    /** ENODEV: the link is already gone, which is what a delete wants. */
    public static boolean isNoDevice(Throwable e) {
        return NetlinkException.hasErrno(e, Errno.ENODEV);
    }

    /**
     * Link-local generation stays off on dual-stack networks too: the pod's IPv6 address goes in
     * without duplicate-address detection and the default route points at the bridge's global
     * gateway address, so neighbour discovery runs on global addresses and the bridge is spared every
     * new pod's DAD, MLD and router solicitations.
     */
    private static Mono<Void> configureBridgePod(AddContext c) {
        return c.inPod(pod -> {
                    io.netty.buffer.ByteBuf buf = POD_BUFFER.get().clear();
                    RequestWriter w = WRITER.get().reset(buf);
                    Links.writeNoIpv6LinkLocal(w, c.podIfIndex, podTag(c));
                    Links.writeUp(w, c.podIfIndex);
                    if (c.address != null) {
                        Addresses.writeAdd(w, c.podIfIndex, c.address);
                        if (c.defaultRoute()) {
                            Routes.writeDefaultVia(w, c.gateway4(), c.podIfIndex);
                        }
                    }
                    if (c.address6 != null) {
                        Addresses.writeAdd(w, c.podIfIndex, c.address6);
                        if (c.defaultRoute()) {
                            Routes.writeDefaultVia(w, c.network.gateway6(), c.podIfIndex);
                        }
                    }
                    for (NetlinkMessage route : networkRoutes(c)) {
                        w.message(route);
                    }
                    pod.requestEncoded(
                            buf.retain(), w.count(), i -> bridgePodRequests(c).get(i)); // the buffer is kept per thread
                    return true;
                })
                .onErrorMap(EndpointSteps::isDefaultRouteTaken, e -> defaultRouteTaken(c, e))
                .then();
    }

    /** What {@link #configureBridgePod} writes, as objects (to describe a request that failed). */
    private static List<NetlinkMessage> bridgePodRequests(AddContext c) {
        List<NetlinkMessage> batch = new java.util.ArrayList<>(List.of(podLinkLocalOff(c), Links.up(c.podIfIndex)));
        if (c.address != null) {
            batch.add(Addresses.add(c.podIfIndex, c.address));
            if (c.defaultRoute()) {
                batch.add(Routes.defaultVia(c.gateway4(), c.podIfIndex));
            }
        }
        if (c.address6 != null) {
            batch.add(Addresses.add(c.podIfIndex, c.address6));
            if (c.defaultRoute()) {
                batch.add(Routes.defaultVia(c.network.gateway6(), c.podIfIndex));
            }
        }
        batch.addAll(networkRoutes(c));
        return batch;
    }

    /** The network's routes for the pod ({@link AddContext#podRoutes}), as requests. */
    private static List<NetlinkMessage> networkRoutes(AddContext c) {
        List<NetlinkMessage> out = new java.util.ArrayList<>();
        for (String r : c.podRoutes()) {
            String[] p = r.split(" via ", 2);
            out.add(Routes.via(Cidr.parse(p[0]), Cidr.parseAddress(p[1], "route gateway"), c.podIfIndex, 0, 0, 0));
        }
        return out;
    }

    /**
     * The link-local address of a dual-stack network's host side (bridge, or ptp host end), added
     * without DAD. The kernel sends a neighbour solicitation for a forwarded packet only from a
     * link-local source, so without one the host could not forward IPv6 to its pods; generated
     * ones would first wait out DAD.
     */
    public static final Cidr HOST_LINK_LOCAL = Cidr.parse("fe80::1/64");

    /**
     * Host end: the gateway as a /32 (/128), and a /32 (/128) route to the pod through this veth,
     * per family; dual stack also gives it {@link #HOST_LINK_LOCAL}.
     */
    private static Mono<Void> configurePtpHost(AddContext c) {
        List<dev.podnet.netlink.NetlinkMessage> batch = new java.util.ArrayList<>();
        if (c.address != null) {
            batch.add(Addresses.add(c.hostIfIndex, new Cidr(c.gateway4(), 32)));
            batch.add(Routes.hostRoute(c.address.address(), c.hostIfIndex, null));
        }
        if (c.address6 != null) {
            batch.add(Addresses.add(c.hostIfIndex, new Cidr(c.network.gateway6(), 128)));
            batch.add(Addresses.add(c.hostIfIndex, HOST_LINK_LOCAL));
            batch.add(Routes.hostRoute(c.address6.address(), c.hostIfIndex, null));
        }
        return c.host.rtnl().executeBatch(batch);
    }

    /**
     * Pod end, per family: the address without the subnet route; the gateway on-link; the subnet
     * and the default route via the gateway. IPv6 needs no link-local address for this: neighbour
     * discovery between the two ends runs on their global addresses.
     */
    private static Mono<Void> configurePtpPod(AddContext c) {
        List<dev.podnet.netlink.NetlinkMessage> batch =
                new java.util.ArrayList<>(List.of(podLinkLocalOff(c), Links.up(c.podIfIndex)));
        if (c.address != null) {
            batch.add(Addresses.addWithoutPrefixRoute(c.podIfIndex, c.address));
            batch.add(Routes.hostRoute(c.gateway4(), c.podIfIndex, c.address.address()));
            batch.add(Routes.subnetVia(c.network.subnetOf(c.address), c.gateway4(), c.podIfIndex, c.address.address()));
            if (c.defaultRoute()) {
                batch.add(Routes.defaultVia(c.gateway4(), c.podIfIndex));
            }
        }
        if (c.address6 != null) {
            batch.add(Addresses.addWithoutPrefixRoute(c.podIfIndex, c.address6));
            batch.add(Routes.hostRoute(c.network.gateway6(), c.podIfIndex, c.address6.address()));
            batch.add(Routes.subnetVia(c.network.subnet6(), c.network.gateway6(), c.podIfIndex, c.address6.address()));
            if (c.defaultRoute()) {
                batch.add(Routes.defaultVia(c.network.gateway6(), c.podIfIndex));
            }
        }
        batch.addAll(networkRoutes(c));
        return sendToPod(c, batch);
    }

    /**
     * The pod interface's first message: IPv6 link-local generation off (before it comes up), with,
     * when the pod has a name, the tag that keeps it on the interface ({@link #POD_TAG}).
     */
    private static NetlinkMessage podLinkLocalOff(AddContext c) {
        String tag = podTag(c);
        return tag != null ? Links.noIpv6LinkLocal(c.podIfIndex, tag) : Links.noIpv6LinkLocal(c.podIfIndex);
    }

    /** {@link #POD_TAG} with the pod's namespace and name, or null for a pod without a name. */
    private static String podTag(AddContext c) {
        return c.podName != null && !c.podName.isEmpty()
                ? POD_TAG + (c.podNamespace == null ? "" : c.podNamespace) + "/" + c.podName
                : null;
    }

    /** Sends a pod's configuration in one datagram from inside its namespace. */
    private static Mono<Void> sendToPod(AddContext c, List<dev.podnet.netlink.NetlinkMessage> batch) {
        return c.inPod(pod -> {
                    pod.executeBatch(batch);
                    return true;
                })
                .onErrorMap(EndpointSteps::isDefaultRouteTaken, e -> defaultRouteTaken(c, e))
                .then();
    }

    /** EEXIST on a default route: the pod has one already, through another of its interfaces. */
    private static boolean isDefaultRouteTaken(Throwable e) {
        return isExists(e)
                && ((NetlinkException) e).request() != null
                && ((NetlinkException) e).request().startsWith("RTM_NEWROUTE default");
    }

    private static Throwable defaultRouteTaken(AddContext c, Throwable cause) {
        return new NameTakenException(
                "netns " + c.netns.path() + " already has a default route (through another interface): "
                        + "a pod takes its default route from one network; create network " + c.network.name()
                        + " without one (defaultRoute off, --no-default-route)" + kernelSaid(cause),
                cause);
    }
}
