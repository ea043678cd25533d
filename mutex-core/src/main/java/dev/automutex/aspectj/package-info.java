/**
 * AspectJ mode of {@link dev.automutex.annotation.AutoMutex}, selected with
 * {@code @EnableAutoMutex(mode = AdviceMode.ASPECTJ)}: the
 * {@link dev.automutex.aspectj.AutoMutexAspect}, woven into the application's classes at
 * load time or compile time, locks every execution of an annotated method, calls from
 * inside the same class and private methods included, through the same
 * {@link dev.automutex.annotation.MutexInterceptor} as proxy mode; and the configuration
 * that hands it that interceptor.
 */
@NullMarked
package dev.automutex.aspectj;

import org.jspecify.annotations.NullMarked;
