package dev.podnet.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.netlink.attr.AttributeList;
import org.junit.jupiter.api.Test;

class NetlinkExceptionTest {
    @Test
    void theMessageHasTheRequestErrnoKernelTextAndOffset() {
        NetlinkException e = new NetlinkException(Errno.EEXIST, "Link already exists", 36, "RTM_NEWLINK v0 (veth)");
        assertEquals(
                "RTM_NEWLINK v0 (veth) failed: EEXIST (File exists): Link already exists [offending attribute at byte 36]",
                e.getMessage());
        assertEquals(17, e.errno());
        assertEquals("EEXIST", e.errnoName());
        assertEquals("Link already exists", e.extAckMessage());
        assertEquals(36, e.extAckOffset());
        assertEquals("RTM_NEWLINK v0 (veth)", e.request());
    }

    @Test
    void noKernelTextAndNoOffsetLeaveThemOut() {
        NetlinkException e = new NetlinkException(Errno.ENODEV, null, -1, "RTM_DELLINK index 9");
        assertEquals("RTM_DELLINK index 9 failed: ENODEV (No such device)", e.getMessage());
        assertNull(e.extAckMessage());
        assertEquals(-1, e.extAckOffset());
    }

    @Test
    void anEmptyTextIsLeftOutAndOffsetZeroIsKept() {
        NetlinkException e = new NetlinkException(Errno.EINVAL, "", 0, "RTM_NEWADDR 198.18.0.1/16 on index 3");
        assertEquals(
                "RTM_NEWADDR 198.18.0.1/16 on index 3 failed: EINVAL (Invalid argument) [offending attribute at byte 0]",
                e.getMessage());
        assertEquals("", e.extAckMessage());
        assertEquals(0, e.extAckOffset());
    }

    @Test
    void anUnknownErrnoIsNamedByNumber() {
        NetlinkException e = new NetlinkException(200, "x", -1, "RTM_GETLINK");
        assertEquals("RTM_GETLINK failed: errno 200 (Unknown error 200): x", e.getMessage());
        assertEquals("errno 200", e.errnoName());
    }

    @Test
    void ofAnErrorMessageTakesItsErrnoTextAndOffset() {
        AttributeList tlvs = AttributeList.builder()
                .string(Netlink.NLMSGERR_ATTR_MSG, "Unknown device type")
                .u32(Netlink.NLMSGERR_ATTR_OFFS, 40)
                .build();
        ErrorMessage error =
                new ErrorMessage(Netlink.NLM_F_ACK_TLVS, 4, 0, -Errno.EOPNOTSUPP, 16, 4, tlvs, new byte[0]);
        NetlinkException e = NetlinkException.of(error, "RTM_NEWLINK x0 (no-such-kind)");
        assertEquals(95, e.errno());
        assertEquals("EOPNOTSUPP", e.errnoName());
        assertEquals("Unknown device type", e.extAckMessage());
        assertEquals(40, e.extAckOffset());
        assertEquals("RTM_NEWLINK x0 (no-such-kind)", e.request());
        assertEquals(
                "RTM_NEWLINK x0 (no-such-kind) failed: EOPNOTSUPP (Operation not supported): Unknown device type"
                        + " [offending attribute at byte 40]",
                e.getMessage());
    }

    @Test
    void hasErrnoMatchesOnlyAKernelErrorWithThatErrno() {
        NetlinkException exists = new NetlinkException(Errno.EEXIST, null, -1, "RTM_NEWLINK");
        assertTrue(NetlinkException.hasErrno(exists, Errno.EEXIST));
        assertFalse(NetlinkException.hasErrno(exists, Errno.ENOENT));
        assertFalse(NetlinkException.hasErrno(new IllegalStateException("EEXIST"), Errno.EEXIST));
        assertFalse(NetlinkException.hasErrno(null, Errno.EEXIST));
        assertFalse(
                NetlinkException.hasErrno(new RuntimeException(exists), Errno.EEXIST), "a cause is not looked into");
    }
}
