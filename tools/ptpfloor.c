/*
 * ptpfloor: what the kernel allows for a ptp pod add, from C, with each of podnet's ptp recipes,
 * so that podnet's ptp rates at node scale (churn --shape ptp | ptp-ll) have a floor with the same
 * kernel work to be compared with (issue 16, target 6). shared/peers' nlfloor has the CNI recipe
 * only; this adds podnet's two.
 *
 *   ptpfloor -n N -r cni|podnet|ll [-c CHECKPOINTS]
 *
 * Everything happens in namespaces this process creates with unshare(2) and holds only by file
 * descriptors: a "host" namespace first, then N pod namespaces. Nothing is mounted or named, and
 * nothing outside them is touched; they are gone when the process exits.
 *
 * Per pod, sequentially (timed): a netlink socket opened inside the pod (setns there and back, as
 * podnet does), then the fewest round trips each recipe allows (every message acknowledged and
 * every acknowledgement checked):
 *   cni     host: veth (up, peer eth0 into the pod), gateway/32 on the host end, route pod/32
 *           (one datagram); pod: link-local generation off, eth0 up, address/32, route to the
 *           gateway scope link, default via the gateway (one datagram). CNI ptp's recipe, as
 *           nlfloor -s ptp -L.
 *   podnet  podnet's ptp: host: veth, link-local generation off on the host end, gateway/32, route
 *           pod/32 (one datagram), then disable_ipv6 on the host end (a sysctl write); pod:
 *           link-local off, up, address/16 without its prefix route, gateway scope link, subnet
 *           via the gateway, default via the gateway.
 *   ll      podnet's ptp with a link-local gateway (Calico's recipe): host: veth, link-local off,
 *           route pod/32, the pod as a permanent neighbour (one datagram), disable_ipv6; pod:
 *           link-local off, up, address/16 without prefix route, 169.254.1.1 as a permanent
 *           neighbour at the host end's MAC, 169.254.1.1 scope link, subnet and default via it.
 *
 * Prints one line per checkpoint (default: N only): pods so far, and the add rate over the last
 * stretch and overall. Pod i has 198.19.0.0 + 1 + i; the gateway is 198.19.0.1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define POD_IFINDEX 2 /* a fresh namespace has only lo (1) */
#define HOST_IFINDEX_BASE 100000

enum recipe { CNI, PODNET, LL };

static char buf[8192] __attribute__((aligned(4)));
static int len, pending;
static uint32_t seq;

static void die(const char *what) {
	perror(what);
	exit(2);
}

static double now(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static struct nlmsghdr *begin(uint16_t type, uint16_t flags, const void *body, int n) {
	struct nlmsghdr *h = (struct nlmsghdr *)(buf + len);
	memset(h, 0, NLMSG_HDRLEN);
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	h->nlmsg_seq = ++seq;
	memcpy(buf + len + NLMSG_HDRLEN, body, n);
	len += NLMSG_HDRLEN + NLMSG_ALIGN(n);
	h->nlmsg_len = NLMSG_HDRLEN + n;
	pending++;
	return h;
}

static void end(struct nlmsghdr *h) {
	h->nlmsg_len = (uint32_t)(buf + len - (char *)h);
}

static struct rtattr *attr(uint16_t type, const void *data, int n) {
	struct rtattr *a = (struct rtattr *)(buf + len);
	a->rta_type = type;
	a->rta_len = RTA_LENGTH(n);
	if (n) memcpy(RTA_DATA(a), data, n);
	len += RTA_ALIGN(a->rta_len);
	return a;
}

static void close_nest(struct rtattr *a) {
	a->rta_len = (unsigned short)(buf + len - (char *)a);
}

/* Sends what was written as one datagram and reads an acknowledgement per message. */
static int txn(int fd, const char *what) {
	int errs = 0;
	if (send(fd, buf, len, 0) != len) die("send");
	while (pending > 0) {
		char rb[8192];
		int n = recv(fd, rb, sizeof rb, 0);
		if (n < 0) die("recv");
		for (struct nlmsghdr *h = (struct nlmsghdr *)rb; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type != NLMSG_ERROR) continue;
			int e = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			if (e) {
				fprintf(stderr, "%s: %s\n", what, strerror(-e));
				errs++;
			}
			pending--;
		}
	}
	len = 0;
	return errs;
}

static void mac_of(int i, int host, unsigned char mac[6]) {
	mac[0] = host ? 0x02 : 0x06; /* locally administered */
	mac[1] = 0x5f;
	mac[2] = 0;
	mac[3] = (unsigned char)(i >> 16);
	mac[4] = (unsigned char)(i >> 8);
	mac[5] = (unsigned char)i;
}

static void veth(int i, int podfd) {
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = HOST_IFINDEX_BASE + i, .ifi_flags = IFF_UP, .ifi_change = IFF_UP};
	struct nlmsghdr *h = begin(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
	char name[IFNAMSIZ];
	unsigned char mac[6];
	snprintf(name, sizeof name, "pf%d", i);
	attr(IFLA_IFNAME, name, strlen(name) + 1);
	mac_of(i, 1, mac);
	attr(IFLA_ADDRESS, mac, 6);
	struct rtattr *info = attr(IFLA_LINKINFO, NULL, 0);
	attr(IFLA_INFO_KIND, "veth", 5);
	struct rtattr *data = attr(IFLA_INFO_DATA, NULL, 0);
	struct rtattr *peer = attr(VETH_INFO_PEER, NULL, 0);
	struct ifinfomsg pifi = {.ifi_family = AF_UNSPEC, .ifi_index = POD_IFINDEX};
	memcpy(buf + len, &pifi, sizeof pifi);
	len += NLMSG_ALIGN(sizeof pifi);
	attr(IFLA_IFNAME, "eth0", 5);
	mac_of(i, 0, mac);
	attr(IFLA_ADDRESS, mac, 6);
	attr(IFLA_NET_NS_FD, &podfd, 4);
	close_nest(peer);
	close_nest(data);
	close_nest(info);
	end(h);
}

static void no_link_local(int index) {
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = index};
	struct nlmsghdr *h = begin(RTM_NEWLINK, 0, &ifi, sizeof ifi);
	struct rtattr *spec = attr(IFLA_AF_SPEC, NULL, 0);
	struct rtattr *inet6 = attr(AF_INET6, NULL, 0);
	uint8_t mode = IN6_ADDR_GEN_MODE_NONE;
	attr(IFLA_INET6_ADDR_GEN_MODE, &mode, 1);
	close_nest(inet6);
	close_nest(spec);
	end(h);
}

static void up(int index) {
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = index, .ifi_flags = IFF_UP, .ifi_change = IFF_UP};
	begin(RTM_NEWLINK, 0, &ifi, sizeof ifi);
}

static void address(int index, uint32_t ip, int prefix, int noprefixroute) {
	struct ifaddrmsg ifa = {.ifa_family = AF_INET, .ifa_prefixlen = prefix, .ifa_index = index};
	struct nlmsghdr *h = begin(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof ifa);
	attr(IFA_LOCAL, &ip, 4);
	attr(IFA_ADDRESS, &ip, 4);
	if (noprefixroute) {
		uint32_t flags = IFA_F_NOPREFIXROUTE;
		attr(IFA_FLAGS, &flags, 4);
	}
	end(h);
}

/* dst/len via gw (0: none, scope link) out of index, preferred source src (0: none) */
static void route(int index, uint32_t dst, int dst_len, uint32_t gw, uint32_t src) {
	struct rtmsg rtm = {.rtm_family = AF_INET, .rtm_dst_len = dst_len, .rtm_table = RT_TABLE_MAIN,
		.rtm_protocol = RTPROT_BOOT, .rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK, .rtm_type = RTN_UNICAST};
	struct nlmsghdr *h = begin(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rtm, sizeof rtm);
	if (dst_len) attr(RTA_DST, &dst, 4);
	if (gw) attr(RTA_GATEWAY, &gw, 4);
	attr(RTA_OIF, &index, 4);
	if (src) attr(RTA_PREFSRC, &src, 4);
	end(h);
}

static void neighbour(int index, uint32_t ip, const unsigned char mac[6]) {
	struct ndmsg nd = {.ndm_family = AF_INET, .ndm_ifindex = index, .ndm_state = NUD_PERMANENT};
	struct nlmsghdr *h = begin(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, &nd, sizeof nd);
	attr(NDA_DST, &ip, 4);
	attr(NDA_LLADDR, mac, 6);
	end(h);
}

static void disable_ipv6(int i) {
	char path[96];
	snprintf(path, sizeof path, "/proc/sys/net/ipv6/conf/pf%d/disable_ipv6", i);
	int fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, "1", 1) != 1) die(path);
	close(fd);
}

static int rtnl_socket(void) {
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0) die("socket");
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) die("bind");
	return fd;
}

static int add_pod(enum recipe r, int i, int hs, int ps, int podfd) {
	uint32_t ip = htonl(0xC6130001u + i), gw = htonl(0xC6130001u), subnet = htonl(0xC6130000u);
	uint32_t llgw = htonl(0xA9FE0101u); /* 169.254.1.1 */
	int host = HOST_IFINDEX_BASE + i, errs = 0;
	unsigned char host_mac[6], pod_mac[6];
	mac_of(i, 1, host_mac);
	mac_of(i, 0, pod_mac);

	veth(i, podfd);
	if (r != CNI) no_link_local(host);
	if (r == LL) {
		route(host, ip, 32, 0, 0);
		neighbour(host, ip, pod_mac);
	} else {
		address(host, gw, 32, 0);
		route(host, ip, 32, 0, r == CNI ? gw : 0);
	}
	errs += txn(hs, "host");
	if (r != CNI) disable_ipv6(i);

	no_link_local(POD_IFINDEX);
	up(POD_IFINDEX);
	if (r == CNI) {
		address(POD_IFINDEX, ip, 32, 0);
		route(POD_IFINDEX, gw, 32, 0, ip);
		route(POD_IFINDEX, 0, 0, gw, 0);
	} else {
		uint32_t via = r == LL ? llgw : gw;
		address(POD_IFINDEX, ip, 16, 1);
		if (r == LL) neighbour(POD_IFINDEX, llgw, host_mac);
		route(POD_IFINDEX, via, 32, 0, ip);
		route(POD_IFINDEX, subnet, 16, via, ip);
		route(POD_IFINDEX, 0, 0, via, 0);
	}
	errs += txn(ps, "pod");
	return errs;
}

int main(int argc, char **argv) {
	int n = 1000, opt;
	enum recipe r = CNI;
	char checkpoints[256] = "";
	while ((opt = getopt(argc, argv, "n:r:c:")) != -1) {
		if (opt == 'n') n = atoi(optarg);
		else if (opt == 'r') r = !strcmp(optarg, "ll") ? LL : !strcmp(optarg, "podnet") ? PODNET : !strcmp(optarg, "cni") ? CNI : -1;
		else if (opt == 'c') snprintf(checkpoints, sizeof checkpoints, "%s", optarg);
		else r = -1;
	}
	if (n < 1 || n > 60000 || (int)r < 0) {
		fprintf(stderr, "usage: ptpfloor -n N -r cni|podnet|ll [-c N1,N2,...]\n");
		return 2;
	}
	/* two descriptors a pod (its namespace, its socket): raise the soft limit to the hard one */
	struct rlimit nofile;
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
		nofile.rlim_cur = nofile.rlim_max;
		setrlimit(RLIMIT_NOFILE, &nofile);
	}
	/* the host side: a namespace of this process's own */
	if (unshare(CLONE_NEWNET) < 0) die("unshare (host)");
	int hostns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int hs = rtnl_socket();
	int *podfd = calloc(n + 1, sizeof(int));
	double t0 = now();
	for (int i = 1; i <= n; i++) {
		if (unshare(CLONE_NEWNET) < 0) die("unshare (pod)");
		podfd[i] = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (podfd[i] < 0) die("open (pod namespace)");
		if (setns(hostns, CLONE_NEWNET) < 0) die("setns");
	}
	fprintf(stderr, "ptpfloor: %d pod namespaces in %.2f s\n", n, now() - t0);

	const char *names[] = {"cni", "podnet", "ll"};
	int errs = 0, last = 0;
	double start = now(), mark = start;
	char *next = checkpoints[0] ? checkpoints : NULL;
	for (int i = 1; i <= n; i++) {
		/* a socket inside the pod, as podnet opens one per add (the namespaces' descriptors alone
		 * already take half of a 20000-descriptor limit at 10000 pods) */
		if (setns(podfd[i], CLONE_NEWNET) < 0) die("setns (pod)");
		int ps = rtnl_socket();
		if (setns(hostns, CLONE_NEWNET) < 0) die("setns (host)");
		errs += add_pod(r, i, hs, ps, podfd[i]);
		close(ps);
		int at = next ? atoi(next) : n;
		if (i == at || i == n) {
			double t = now();
			printf("{\"recipe\":\"%s\",\"pods\":%d,\"adds_per_s_last\":%.1f,\"adds_per_s\":%.1f,\"errors\":%d}\n",
				names[r], i, (i - last) / (t - mark), i / (t - start), errs);
			fflush(stdout);
			last = i;
			mark = t;
			if (next) next = strchr(next, ',') ? strchr(next, ',') + 1 : NULL;
		}
	}
	return errs ? 1 : 0;
}
