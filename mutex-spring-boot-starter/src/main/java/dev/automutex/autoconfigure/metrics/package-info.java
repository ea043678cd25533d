/**
 * AutoMutex's Micrometer gauge, configured only when the application has a
 * {@code MeterRegistry}.
 */
@NullMarked
package dev.automutex.autoconfigure.metrics;

import org.jspecify.annotations.NullMarked;
