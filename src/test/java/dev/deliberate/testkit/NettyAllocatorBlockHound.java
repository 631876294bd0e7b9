package dev.deliberate.testkit;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Netty 4.2's adaptive allocator grows its magazines under a {@code StampedLock} when event loops allocate at the same
 * moment, e.g. when several streamed responses arrive at once. The lock is held for a few instructions and Netty's own
 * BlockHound integration does not list it yet, so BlockHound would fail any test with concurrent streams.
 */
public final class NettyAllocatorBlockHound implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.allowBlockingCallsInside(
                "io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines");
    }
}
