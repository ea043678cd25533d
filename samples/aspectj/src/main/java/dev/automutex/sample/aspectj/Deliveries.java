package dev.automutex.sample.aspectj;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

import org.springframework.aop.support.AopUtils;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Receives ten apples and ships twelve orders of them, each in parallel calls, and prints
 * what is left.
 */
@Component
class Deliveries implements ApplicationRunner {

	static final int CALLS = 10;

	private final StockRoom stockRoom;

	Deliveries(StockRoom stockRoom) {
		this.stockRoom = stockRoom;
	}

	@Override
	public void run(ApplicationArguments args) throws Exception {
		System.out.println("StockRoom is " + (AopUtils.isAopProxy(this.stockRoom) ? "a proxy" : "not a proxy")
				+ ": its @AutoMutex methods are woven by AspectJ");
		long received = inParallel(CALLS, (item) -> {
			this.stockRoom.receive(item);
			return true;
		});
		System.out.println(received + " parallel receive() calls, each calling add() inside StockRoom: "
				+ this.stockRoom.count("apple") + " apples in stock");
		long shipped = inParallel(CALLS + 2, this.stockRoom::ship);
		System.out.println((CALLS + 2) + " parallel ship() calls through the private take(): " + shipped + " shipped, "
				+ this.stockRoom.count("apple") + " left");
	}

	/**
	 * Start the calls at once, each on the item {@code apple}.
	 * @return how many returned {@code true}
	 */
	long inParallel(int calls, Function<String, Boolean> call) throws Exception {
		ExecutorService executor = Executors.newFixedThreadPool(calls);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<Boolean>> results = new ArrayList<>();
			for (int i = 0; i < calls; i++) {
				results.add(executor.submit(() -> {
					start.await();
					return call.apply("apple");
				}));
			}
			start.countDown();
			long done = 0;
			for (Future<Boolean> result : results) {
				done += result.get() ? 1 : 0;
			}
			return done;
		}
		finally {
			executor.shutdown();
		}
	}

}
