/**
 * JMH benchmarks: the codec (one pod's messages written, encoded and decoded) and endpoint adds
 * and removes end to end against the kernel, in a sandbox namespace of their own.
 */
package dev.podnet.bench;
