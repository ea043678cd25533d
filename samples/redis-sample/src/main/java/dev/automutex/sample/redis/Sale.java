package dev.automutex.sample.redis;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;

import dev.automutex.store.MutexStore;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Sells tickets from several threads, and prints how many this instance sold and what is
 * left. {@code --sale.open=true} (re)stocks the show with 200 tickets first;
 * {@code --sale.buyers=N} sets how many buyers this instance runs;
 * {@code --sale.enabled=false} sells nothing.
 */
@Component
class Sale implements ApplicationRunner {

	private final BoxOffice boxOffice;

	private final MutexStore store;

	private final Environment environment;

	Sale(BoxOffice boxOffice, MutexStore store, Environment environment) {
		this.boxOffice = boxOffice;
		this.store = store;
		this.environment = environment;
	}

	@Override
	public void run(ApplicationArguments args) throws Exception {
		Binder binder = Binder.get(this.environment);
		String show = "premiere";
		if (binder.bind("sale.open", Boolean.class).orElse(false)) {
			this.boxOffice.open(show, 200);
			System.out.println("Opened '" + show + "' with 200 tickets");
		}
		if (!binder.bind("sale.enabled", Boolean.class).orElse(true)) {
			return;
		}
		sell(show, binder.bind("sale.buyers", Integer.class).orElse(4));
	}

	/**
	 * Sell the show's tickets through {@code buyers} threads until none is left.
	 * @param show the show
	 * @param buyers how many buyers
	 * @return how many tickets this instance sold
	 */
	int sell(String show, int buyers) throws Exception {
		String instance = ManagementFactory.getRuntimeMXBean().getName();
		System.out.println("Instance " + instance + " sells '" + show + "' through " + this.store);
		ExecutorService executor = Executors.newFixedThreadPool(buyers);
		try {
			List<Future<Integer>> sales = new ArrayList<>();
			for (int b = 0; b < buyers; b++) {
				String buyer = instance + "/buyer-" + b;
				sales.add(executor.submit(() -> {
					int bought = 0;
					while (this.boxOffice.sell(show, buyer)) {
						bought++;
						// the buyer pays, outside the lock
						LockSupport.parkNanos(10_000_000L);
					}
					return bought;
				}));
			}
			int sold = 0;
			for (Future<Integer> sale : sales) {
				sold += sale.get();
			}
			System.out.println("Instance " + instance + " sold " + sold + " tickets; left: " + this.boxOffice.left(show)
					+ "; sold by everyone: " + this.boxOffice.sold(show));
			return sold;
		}
		finally {
			executor.shutdown();
		}
	}

}
