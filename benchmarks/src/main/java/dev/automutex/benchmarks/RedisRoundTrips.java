package dev.automutex.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.automutex.test.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * Counts the Redis commands behind each variant of {@link RedisLockBenchmark}: a
 * measurement tool, not a JMH benchmark.
 * <p>
 * <b>Uncontended.</b> For each variant, on one private {@code redis-server}: 200 cycles
 * to warm up (and to load the scripts), then {@value #CYCLES} cycles between two reads of
 * {@code INFO commandstats}. "Commands" is the sum of {@code calls=} over every command,
 * {@code INFO} and the {@code ECHO} markers below left out: it counts the commands that
 * scripts call too. A {@code MONITOR} connection splits them into commands sent by the
 * client (round trips) and commands run inside scripts ({@code [0 lua]}), between
 * {@code ECHO} markers that the tool sends.
 * <p>
 * <b>Contended.</b> Four instances (four connection factories, stores and templates, one
 * thread each) loop {@code lock(key, 10 s)}, {@code counter++}, release on one key (an
 * overlap or a lost update fails the run), 1 s to warm up, then
 * {@value RedisContention#CONTENDED_SECONDS} s: acquisitions per second (those that ended
 * within the {@value RedisContention#CONTENDED_SECONDS} s), scripts ({@code EVAL} +
 * {@code EVALSHA}), all commands and {@code PUBLISH}es per acquisition
 * ({@code INFO commandstats} from the start until the last thread's last call ended, over
 * all acquisitions), the fewest and most acquisitions of one thread, the calls that gave
 * up after their 10 s and the longest call. The same for one instance with four threads,
 * for comparison.
 * <p>
 * Run after building the benchmarks ({@code redis-server} on the {@code PATH}):
 * <pre class="code">
 * java -cp benchmarks/target/benchmarks.jar dev.automutex.benchmarks.RedisRoundTrips
 * </pre>
 */
public final class RedisRoundTrips {

	static final int CYCLES = 1000;

	static final int WARM_UP_CYCLES = 200;

	private static final String MARKER = "roundtrips-mark-";

	private RedisRoundTrips() {
	}

	public static void main(String[] args) throws Exception {
		RedisLockBenchmark bench = new RedisLockBenchmark();
		bench.start();
		try {
			RedisServer redis = bench.server();
			RedisClient client = RedisClient.create(RedisURI.create(redis.host(), redis.port()));
			try (StatefulRedisConnection<String, String> connection = client.connect()) {
				RedisCommands<String, String> commands = connection.sync();
				try (Monitor monitor = new Monitor(redis)) {
					uncontended(bench, commands, monitor);
				}
				// MONITOR slows Redis down: closed before the timed part.
				RedisContention.run(redis, commands);
			}
			finally {
				client.shutdown();
			}
		}
		finally {
			bench.stop();
		}
	}

	private static void uncontended(RedisLockBenchmark bench, RedisCommands<String, String> commands, Monitor monitor)
			throws Exception {
		Map<String, Callable<?>> variants = new LinkedHashMap<>();
		variants.put("floor", bench::floor);
		variants.put("springIntegrationRegistry", run(bench::springIntegrationRegistry));
		variants.put("automutexRegistry", run(bench::automutexRegistry));
		variants.put("automutexLease", bench::automutexLease);
		variants.put("templateAutomutex", run(bench::templateAutomutex));
		variants.put("templateSpringIntegration", run(bench::templateSpringIntegration));
		variants.put("templateAutomutexWithToken", bench::templateAutomutexWithToken);
		variants.put("templateSpringIntegrationWithToken", bench::templateSpringIntegrationWithToken);
		System.out.printf("%nUncontended: Redis commands per lock + release cycle (%d cycles, one thread)%n%n", CYCLES);
		System.out.println("| variant | commands (INFO commandstats) | sent by the client (round trips) "
				+ "| run inside scripts | what |");
		System.out.println("| --- | ---: | ---: | ---: | --- |");
		for (Map.Entry<String, Callable<?>> variant : variants.entrySet()) {
			Counted counted = count(variant.getValue(), commands, monitor, CYCLES);
			System.out.printf("| %s | %.2f | %.2f | %.2f | %s |%n", variant.getKey(), counted.commands(),
					counted.sent(), counted.inScripts(), counted.description());
		}
	}

	/**
	 * Count the commands of one cycle: up to {@value #WARM_UP_CYCLES} cycles to warm up
	 * (no more than are counted), then {@code cycles} between two marks.
	 * @param cycle one lock + release
	 * @param commands a connection to the same Redis
	 * @param monitor a monitor of the same Redis
	 * @param cycles how many cycles to count
	 * @return the counts per cycle
	 * @throws Exception if a cycle fails
	 */
	static Counted count(Callable<?> cycle, RedisCommands<String, String> commands, Monitor monitor, int cycles)
			throws Exception {
		for (int i = 0; i < Math.min(WARM_UP_CYCLES, cycles); i++) {
			cycle.call();
		}
		Map<String, Long> statsBefore = commandStats(commands);
		Map<String, Long> monitorBefore = monitor.mark(commands);
		for (int i = 0; i < cycles; i++) {
			cycle.call();
		}
		Map<String, Long> monitorAfter = monitor.mark(commands);
		Map<String, Long> stats = minus(commandStats(commands), statsBefore);
		Map<String, Long> seen = minus(monitorAfter, monitorBefore);
		return new Counted(sum(stats) / (double) cycles, sumWithPrefix(seen, "client ") / (double) cycles,
				sumWithPrefix(seen, "lua ") / (double) cycles, describe(seen, cycles));
	}

	static Callable<Object> run(Runnable action) {
		return () -> {
			action.run();
			return null;
		};
	}

	private static String describe(Map<String, Long> seen, int cycles) {
		List<String> client = new ArrayList<>();
		List<String> lua = new ArrayList<>();
		new TreeMap<>(seen).forEach((name, count) -> {
			if (count == 0) {
				return;
			}
			String text = name.substring(name.indexOf(' ') + 1) + " " + format(count / (double) cycles);
			(name.startsWith("client ") ? client : lua).add(text);
		});
		return "client: " + String.join(", ", client) + "; in scripts: " + String.join(", ", lua);
	}

	private static String format(double value) {
		return (value == Math.rint(value)) ? String.valueOf((long) value) : String.format("%.2f", value);
	}

	/**
	 * {@code INFO commandstats} as command name to calls, without {@code INFO} and
	 * {@code ECHO} (this tool's own).
	 */
	static Map<String, Long> commandStats(RedisCommands<String, String> commands) {
		Map<String, Long> calls = new HashMap<>();
		for (String line : commands.info("commandstats").split("\r?\n")) {
			if (!line.startsWith("cmdstat_")) {
				continue;
			}
			String name = line.substring("cmdstat_".length(), line.indexOf(':'));
			if (name.equals("info") || name.equals("echo")) {
				continue;
			}
			int from = line.indexOf("calls=") + "calls=".length();
			int to = line.indexOf(',', from);
			calls.put(name, Long.parseLong(line.substring(from, to)));
		}
		return calls;
	}

	static Map<String, Long> minus(Map<String, Long> after, Map<String, Long> before) {
		Map<String, Long> difference = new HashMap<>();
		after.forEach((name, count) -> difference.put(name, count - before.getOrDefault(name, 0L)));
		return difference;
	}

	static long sum(Map<String, Long> counts) {
		return counts.values().stream().mapToLong(Long::longValue).sum();
	}

	private static long sumWithPrefix(Map<String, Long> counts, String prefix) {
		return counts.entrySet()
			.stream()
			.filter((entry) -> entry.getKey().startsWith(prefix))
			.mapToLong(Map.Entry::getValue)
			.sum();
	}

	/**
	 * The commands of one cycle, counted by {@link #count}.
	 *
	 * @param commands every command ({@code INFO commandstats}), scripts' included
	 * @param sent commands sent by the client: round trips
	 * @param inScripts commands run inside scripts
	 * @param description the commands by name
	 */
	record Counted(double commands, double sent, double inScripts, String description) {

	}

	/**
	 * A {@code MONITOR} connection that counts commands by origin ({@code client NAME} or
	 * {@code lua NAME}) and hands over a copy of its counts at each {@code ECHO} marker.
	 */
	static final class Monitor implements AutoCloseable {

		private final Socket socket;

		private final Thread reader;

		private final BlockingQueue<Map<String, Long>> marks = new LinkedBlockingQueue<>();

		private int nextMark;

		Monitor(RedisServer redis) throws IOException {
			this.socket = new Socket(InetAddress.getLoopbackAddress(), redis.port());
			OutputStream out = this.socket.getOutputStream();
			out.write("MONITOR\r\n".getBytes(StandardCharsets.UTF_8));
			out.flush();
			BufferedReader in = new BufferedReader(
					new InputStreamReader(this.socket.getInputStream(), StandardCharsets.ISO_8859_1));
			String ok = in.readLine();
			if (!"+OK".equals(ok)) {
				throw new IllegalStateException("MONITOR answered " + ok);
			}
			this.reader = new Thread(() -> read(in), "roundtrips-monitor");
			this.reader.setDaemon(true);
			this.reader.start();
		}

		private void read(BufferedReader in) {
			Map<String, Long> counts = new HashMap<>();
			try {
				String line;
				while ((line = in.readLine()) != null) {
					int open = line.indexOf('[');
					int close = line.indexOf(']', open);
					int nameStart = line.indexOf('"', close) + 1;
					int nameEnd = line.indexOf('"', nameStart);
					if (open < 0 || close < 0 || nameStart <= 0 || nameEnd < 0) {
						continue;
					}
					String origin = line.substring(open + 1, close).endsWith(" lua") ? "lua " : "client ";
					String name = line.substring(nameStart, nameEnd).toUpperCase();
					if (name.equals("ECHO") && line.contains(MARKER)) {
						this.marks.add(new HashMap<>(counts));
					}
					else if (!name.equals("INFO")) {
						counts.merge(origin + name, 1L, Long::sum);
					}
				}
			}
			catch (IOException ex) {
				// closed
			}
		}

		/**
		 * Send a marker and wait until the monitor saw it.
		 * @return the counts up to the marker
		 */
		Map<String, Long> mark(RedisCommands<String, String> commands) throws InterruptedException {
			commands.echo(MARKER + this.nextMark++);
			Map<String, Long> counts = this.marks.poll(30, TimeUnit.SECONDS);
			if (counts == null) {
				throw new IllegalStateException("MONITOR did not show the marker within 30 s");
			}
			return counts;
		}

		@Override
		public void close() throws IOException {
			this.socket.close();
		}

	}

}
