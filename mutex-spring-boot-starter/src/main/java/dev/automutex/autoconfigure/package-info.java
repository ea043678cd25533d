/**
 * Spring Boot auto-configuration for AutoMutex.
 */
@NullMarked
package dev.automutex.autoconfigure;

import org.jspecify.annotations.NullMarked;
