/**
 * The web sample: the seeds' examples over HTTP.
 */
@NullMarked
package dev.automutex.sample.web;

import org.jspecify.annotations.NullMarked;
