/**
 * Test helpers for applications and stores: {@link dev.automutex.test.RedisServer}, a
 * private {@code redis-server} on a free loopback port, and
 * {@link dev.automutex.test.RedisServerExtension}, which runs one for the tests of a
 * class (either of them on TLS, with {@link dev.automutex.test.RedisTlsCertificates});
 * {@link dev.automutex.test.RedisClusterServer}, a private three-master Redis Cluster,
 * and {@link dev.automutex.test.RedisClusterExtension}, which runs one for the tests of a
 * class.
 */
@NullMarked
package dev.automutex.test;

import org.jspecify.annotations.NullMarked;
