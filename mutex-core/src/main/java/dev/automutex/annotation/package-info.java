/**
 * Annotation-driven locking: {@link dev.automutex.annotation.AutoMutex} and the
 * infrastructure that applies it, along the lines of Spring's cache abstraction: a parser
 * turns each annotation into a checked {@link dev.automutex.annotation.MutexOperation},
 * the {@link dev.automutex.annotation.MutexOperationSource} caches it per method, an
 * advisor picks the beans and the {@link dev.automutex.annotation.MutexInterceptor} holds
 * the key around each call. Also the failure-handler SPI, the transaction guard and
 * {@link dev.automutex.annotation.EnableAutoMutex}.
 */
@NullMarked
package dev.automutex.annotation;

import org.jspecify.annotations.NullMarked;
