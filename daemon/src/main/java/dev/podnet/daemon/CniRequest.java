package dev.podnet.daemon;

import java.util.function.Function;

/**
 * One CNI invocation as the shim forwards it: the {@code CNI_*} environment as {@code X-CNI-*} HTTP
 * headers and the network configuration, byte for byte as the runtime wrote it on the plugin's stdin,
 * as the body. Absent or empty variables are null.
 *
 * @param command     CNI_COMMAND: ADD, DEL, CHECK, STATUS, GC or VERSION
 * @param containerId CNI_CONTAINERID
 * @param netns       CNI_NETNS, a path such as {@code /run/netns/x} or {@code /proc/1234/ns/net}
 * @param ifName      CNI_IFNAME
 * @param args        CNI_ARGS, raw ({@code K=V;K=V}); see {@link CniArgs}
 * @param path        CNI_PATH (podnet delegates to no plugin, so it is only carried along)
 * @param config      the network configuration (JSON); empty when none was given
 */
public record CniRequest(
        String command, String containerId, String netns, String ifName, String args, String path, byte[] config) {
    public static final String COMMAND = "X-CNI-Command";
    public static final String CONTAINER_ID = "X-CNI-ContainerId";
    public static final String NETNS = "X-CNI-Netns";
    public static final String IF_NAME = "X-CNI-IfName";
    public static final String ARGS = "X-CNI-Args";
    public static final String PATH = "X-CNI-Path";

    private static final byte[] NONE = new byte[0];

    public CniRequest {
        command = blankToNull(command);
        containerId = blankToNull(containerId);
        netns = blankToNull(netns);
        ifName = blankToNull(ifName);
        args = blankToNull(args);
        path = blankToNull(path);
        config = config == null ? NONE : config;
    }

    /** The request whose headers {@code header} looks up (by name, as above) and whose body is {@code body}. */
    public static CniRequest of(Function<String, String> header, byte[] body) {
        return new CniRequest(
                header.apply(COMMAND),
                header.apply(CONTAINER_ID),
                header.apply(NETNS),
                header.apply(IF_NAME),
                header.apply(ARGS),
                header.apply(PATH),
                body);
    }

    /** {@code containerId/ifName}, as podnet names endpoints (for messages). */
    public String attachment() {
        return containerId + "/" + ifName;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
