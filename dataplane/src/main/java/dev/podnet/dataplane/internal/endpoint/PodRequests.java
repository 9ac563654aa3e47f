package dev.podnet.dataplane.internal.endpoint;

import dev.podnet.dataplane.internal.link.Links;
import dev.podnet.dataplane.internal.link.Routes;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.netlink.NetlinkException;
import dev.podnet.netlink.NetlinkMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * What the shapes' configurations of the pod's interface have in common: its first message (IPv6
 * link-local generation off, with the tag that keeps the pod's name, {@link EndpointSteps#POD_TAG}),
 * the network's extra routes as requests, and the plain error for a default route the pod already
 * has through another interface.
 */
final class PodRequests {
    private PodRequests() {}

    /** The network's routes for the pod ({@link AddContext#podRoutes}), as requests. */
    static List<NetlinkMessage> networkRoutes(AddContext c) {
        List<NetlinkMessage> out = new ArrayList<>();
        for (String r : c.podRoutes()) {
            String[] p = r.split(" via ", 2);
            out.add(Routes.via(Cidr.parse(p[0]), Cidr.parseAddress(p[1], "route gateway"), c.podIfIndex, 0, 0, 0));
        }
        return out;
    }

    /**
     * The pod interface's first message: IPv6 link-local generation off (before it comes up), with,
     * when the pod has a name, the tag that keeps it on the interface ({@link EndpointSteps#POD_TAG}).
     */
    static NetlinkMessage podLinkLocalOff(AddContext c) {
        String tag = podTag(c);
        return tag != null ? Links.noIpv6LinkLocal(c.podIfIndex, tag) : Links.noIpv6LinkLocal(c.podIfIndex);
    }

    /** {@link EndpointSteps#POD_TAG} with the pod's namespace and name, or null for a pod without a name. */
    static String podTag(AddContext c) {
        return c.podName != null && !c.podName.isEmpty()
                ? EndpointSteps.POD_TAG + (c.podNamespace == null ? "" : c.podNamespace) + "/" + c.podName
                : null;
    }

    /** EEXIST on a default route: the pod has one already, through another of its interfaces. */
    static boolean isDefaultRouteTaken(Throwable e) {
        return SharedSteps.isExists(e)
                && ((NetlinkException) e).request() != null
                && ((NetlinkException) e).request().startsWith("RTM_NEWROUTE default");
    }

    static Throwable defaultRouteTaken(AddContext c, Throwable cause) {
        return new NameTakenException(
                "netns " + c.netns.path() + " already has a default route (through another interface): "
                        + "a pod takes its default route from one network; create network " + c.network.name()
                        + " without one (defaultRoute off, --no-default-route)" + SharedSteps.kernelSaid(cause),
                cause);
    }
}
