/**
 * Not API: hooks that podnet's own tools and harnesses need into the API types. Nothing here is
 * stable; embedders must not use it (an architecture test keeps the examples off it).
 */
package dev.podnet.api.internal;
