package dev.automutex.store;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import dev.automutex.test.RedisInlineCommands;
import dev.automutex.test.RedisServer;
import dev.automutex.test.store.AbstractRenewableMutexStoreContractTests;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The store contract on AutoMutex's Redis engine through Redis Sentinel: a master the
 * test starts, watched by a sentinel ({@code redis-server --sentinel}) the test starts;
 * clients find the master by asking the sentinel.
 */
class RedisLeaseOnSentinelContractTests extends AbstractRenewableMutexStoreContractTests {

	private static RedisServer master;

	private static Process sentinel;

	private static int sentinelPort;

	private static Path sentinelDir;

	private LettuceConnectionFactory connectionFactory;

	private @Nullable LettuceConnectionFactory otherConnection;

	@BeforeAll
	static void startMasterAndSentinel() throws Exception {
		master = RedisServer.start();
		sentinelDir = Files.createTempDirectory("automutex-sentinel-");
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			sentinelPort = socket.getLocalPort();
		}
		Path config = sentinelDir.resolve("sentinel.conf");
		Files.writeString(config, "port " + sentinelPort + "\nbind 127.0.0.1\ndir " + sentinelDir + "\n"
				+ "sentinel monitor mymaster 127.0.0.1 " + master.port() + " 1\n");
		sentinel = new ProcessBuilder(List.of("redis-server", config.toString(), "--sentinel"))
			.redirectErrorStream(true)
			.redirectOutput(sentinelDir.resolve("sentinel.log").toFile())
			.start();
		await().atMost(Duration.ofSeconds(30))
			.alias("the sentinel knows the master")
			.ignoreExceptions()
			.until(() -> RedisInlineCommands.firstLine(sentinelPort, "SENTINEL get-master-addr-by-name mymaster")
				.startsWith("*2"));
	}

	@AfterAll
	static void stopMasterAndSentinel() throws Exception {
		if (sentinel != null) {
			sentinel.destroy();
			sentinel.waitFor(10, TimeUnit.SECONDS);
		}
		if (master != null) {
			master.close();
		}
		if (sentinelDir != null) {
			FileSystemUtils.deleteRecursively(sentinelDir);
		}
	}

	@Override
	protected RedisLeaseMutexStore createStore() {
		master.flushAll();
		this.connectionFactory = viaSentinel();
		return new RedisLeaseMutexStore(this.connectionFactory, "mutex", Duration.ofSeconds(30));
	}

	@Override
	protected RedisLeaseMutexStore createOtherInstance() {
		this.otherConnection = viaSentinel();
		return new RedisLeaseMutexStore(this.otherConnection, "mutex", Duration.ofSeconds(30));
	}

	@Override
	protected void removeBehindTheHoldersBack(String key) {
		master.command("DEL " + ((RedisLeaseMutexStore) store()).redisKey(key));
	}

	@Override
	protected void destroyStore(MutexStore store) throws Exception {
		super.destroyStore(store);
		if (this.otherConnection != null && store != null && store != store()) {
			this.otherConnection.destroy();
			this.otherConnection = null;
			return;
		}
		this.connectionFactory.destroy();
	}

	@Test
	void keysAreHeldOnTheMasterAndTheStoreNamesTheSentinels() throws Exception {
		RedisLeaseMutexStore store = (RedisLeaseMutexStore) store();
		assertThat(store.toString()).contains("master 'mymaster' of sentinels [127.0.0.1:" + sentinelPort + "]");
		MutexStore.Held held = store.tryAcquire("k", Duration.ZERO, Duration.ofSeconds(30));
		assertThat(master.command("EXISTS mutex:{k}")).isEqualTo(":1");
		assertThat(held.release()).isTrue();
		assertThat(master.command("EXISTS mutex:{k}")).isEqualTo(":0");
	}

	private LettuceConnectionFactory viaSentinel() {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisSentinelConfiguration("mymaster", Set.of("127.0.0.1:" + sentinelPort)),
				LettuceClientConfiguration.builder().commandTimeout(Duration.ofSeconds(2)).build());
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

}
