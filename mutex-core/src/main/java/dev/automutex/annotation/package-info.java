/**
 * Annotation-driven locking: {@link dev.automutex.annotation.AutoMutex} and the infrastructure that applies it
 * (operation source, advisor, interceptor), the failure-handler SPI and {@link dev.automutex.annotation.EnableAutoMutex}.
 */
@NullMarked
package dev.automutex.annotation;

import org.jspecify.annotations.NullMarked;
