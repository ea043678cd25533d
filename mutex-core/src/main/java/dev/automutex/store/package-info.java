/**
 * Lock stores: the {@link dev.automutex.store.MutexStore} SPI and its implementations
 * over Spring Integration's {@code LockRegistry}, for one JVM
 * ({@link dev.automutex.store.LocalMutexStore}) and for Redis
 * ({@link dev.automutex.store.RedisMutexStore}).
 */
@NullMarked
package dev.automutex.store;

import org.jspecify.annotations.NullMarked;
