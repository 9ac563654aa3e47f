/**
 * Compiled examples: embedding the dataplane, and the codec and channel on their own.
 */
package dev.podnet.examples;
