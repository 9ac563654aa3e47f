package dev.podnet.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * The leak detector works in a plain (non-kernel) test that runs first in its JVM: a buffer leaked
 * on purpose is reported. Without {@link LeakCheckExtension} installed for every JVM this fails, as
 * the detector would only have been set up by the first kernel test's class.
 */
@Order(0)
class LeakDetectionTest {
    @Test
    void aBufferLeakedOnPurposeIsReported() throws Exception {
        leakOne();
        AssertionFailedError caught = assertThrows(
                AssertionFailedError.class,
                LeakRecorder::assertNoLeaks,
                "the paranoid leak detector must see a buffer dropped without release");
        assertTrue(caught.getMessage().contains("ByteBuf leak"), caught.getMessage());
        LeakRecorder.reset(); // the leak was the point: the class-level check must not fail for it
    }

    /** Allocates a buffer and drops it, unreleased, out of reach once this frame is gone. */
    private static void leakOne() {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        b.writeLong(42);
    }
}
