/**
 * The AspectJ sample: {@code @AutoMutex} methods called from inside their own class, and
 * a private one, locked through load-time weaving.
 */
@NullMarked
package dev.automutex.sample.aspectj;

import org.jspecify.annotations.NullMarked;
