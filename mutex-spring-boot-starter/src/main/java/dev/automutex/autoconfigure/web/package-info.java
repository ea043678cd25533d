/**
 * AutoMutex in web applications: a busy key answered as HTTP 409 Conflict with a
 * {@code ProblemDetail}, configured only in a Spring MVC or WebFlux application.
 */
@NullMarked
package dev.automutex.autoconfigure.web;

import org.jspecify.annotations.NullMarked;
