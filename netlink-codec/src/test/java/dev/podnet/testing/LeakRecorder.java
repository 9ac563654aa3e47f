package dev.podnet.testing;

import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Collects what Netty's (paranoid) leak detector reports, so a test that leaks a buffer fails. */
public final class LeakRecorder {
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    private static volatile boolean installed;

    private LeakRecorder() {}

    static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval) {
                return recording(resource, samplingInterval);
            }

            @Override
            @SuppressWarnings("deprecation") // abstract in the factory: must be implemented
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(
                    Class<T> resource, int samplingInterval, long maxActive) {
                return recording(resource, samplingInterval);
            }

            private <T> ResourceLeakDetector<T> recording(Class<T> resource, int samplingInterval) {
                return new ResourceLeakDetector<>(resource, samplingInterval) {
                    @Override
                    protected void reportTracedLeak(String type, String records) {
                        LEAKS.add(type + " leaked:" + records);
                        super.reportTracedLeak(type, records);
                    }

                    @Override
                    protected void reportUntracedLeak(String type) {
                        LEAKS.add(type + " leaked");
                        super.reportUntracedLeak(type);
                    }
                };
            }
        });
    }

    static void reset() {
        LEAKS.clear();
    }

    /** Runs the GC, lets the detector poll its queue, and fails if anything leaked. */
    public static void assertNoLeaks() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20);
            // the detector reports while tracking new allocations
            ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(8);
            b.release();
        }
        if (!LEAKS.isEmpty()) {
            fail("ByteBuf leak: " + LEAKS.get(0));
        }
    }
}
