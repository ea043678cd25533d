/**
 * The reliability suite: scenarios that run several JVM processes with AutoMutex against
 * a {@code redis-server} the suite starts, kills, pauses and restarts, and print one
 * table of claims and figures.
 */
@NullMarked
package dev.automutex.reliability;

import org.jspecify.annotations.NullMarked;
