package dev.podnet.bench;

import dev.podnet.netlink.nft.NftBatch;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The encode of a pod's published-port transaction as podnet sends it: BATCH_BEGIN, one
 * NEWSETELEM into {@code ports4} (key {@code tcp . 8080}, data {@code 198.18.0.5 . 80}, the
 * owner's comment), one into {@code ports6} for a dual-stack pod, BATCH_END, into a reused buffer
 * with a reused batch. Run with {@code -prof gc}: the target is no allocation per transaction.
 */
public class NftBatchBenchmark extends CodecBenchmarkSettings {
    private static final byte[] POD6 = {(byte) 0xfd, 0, 0, 0x18, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5};

    private ByteBuf out;
    private NftBatch batch;

    @Setup
    public void setUp() {
        out = Unpooled.directBuffer(1024);
        batch = NftBatch.begin(out);
    }

    @TearDown
    public void tearDown() {
        out.release();
    }

    private int write(boolean dualStack) {
        out.clear();
        NftBatch b = batch.restart(out);
        port(b, false);
        if (dualStack) {
            port(b, true);
        }
        return b.end() + out.writerIndex();
    }

    /** {@code tcp . 8080 : POD . 80}, owned, into ports4 or ports6. */
    private static void port(NftBatch b, boolean v6) {
        NftBatch.Elements e = b.addElements(
                        "podnet", v6 ? "ports6" : "ports4", true, v6 ? "publish (ports6)" : "publish (ports4)")
                .element()
                .key()
                .u8(6)
                .port(8080)
                .endValue()
                .data();
        (v6 ? e.address(POD6) : e.ipv4(0xc6120005))
                .port(80)
                .endValue()
                .comment("podnet:c0ffee0001/eth0")
                .endElement()
                .end();
    }

    /** One published port, IPv4 only: 3 messages. */
    @Benchmark
    public int portMappingV4() {
        return write(false);
    }

    /** One published port on a dual-stack pod: 4 messages. */
    @Benchmark
    public int portMappingDualStack() {
        return write(true);
    }
}
