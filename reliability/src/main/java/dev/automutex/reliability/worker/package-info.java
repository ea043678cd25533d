/**
 * The worker application the reliability suite starts as separate JVM processes: a Spring
 * Boot application with the AutoMutex starter that runs one job and reports on its
 * standard output.
 */
@NullMarked
package dev.automutex.reliability.worker;

import org.jspecify.annotations.NullMarked;
