/**
 * Core API: {@link dev.automutex.MutexOperations} and its implementation
 * {@link dev.automutex.MutexTemplate}, {@link dev.automutex.MutexLock}, key conversion
 * and exceptions.
 */
@NullMarked
package dev.automutex;

import org.jspecify.annotations.NullMarked;
