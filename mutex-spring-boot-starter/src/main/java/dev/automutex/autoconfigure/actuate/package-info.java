/**
 * AutoMutex's Actuator support: the {@code mutex} endpoint and health contributor,
 * configured only in an application that has Actuator.
 */
@NullMarked
package dev.automutex.autoconfigure.actuate;

import org.jspecify.annotations.NullMarked;
