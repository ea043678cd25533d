package dev.automutex.sample.aspectj;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

import dev.automutex.annotation.AutoMutex;

import org.springframework.stereotype.Service;

/**
 * Stock counts, changed by read-then-write: correct only if one call at a time changes an
 * item. The public methods call the {@code @AutoMutex} ones from inside this class, which
 * a Spring proxy would not see; in AspectJ mode each call is locked all the same.
 */
@Service
public class StockRoom {

	private final Map<String, Integer> stock = new ConcurrentHashMap<>();

	/**
	 * Receive one item.
	 * @param item the item
	 */
	public void receive(String item) {
		add(item); // a call from inside the class: locked in AspectJ mode only
	}

	/**
	 * Ship one item if there is one left.
	 * @param item the item
	 * @return whether one was shipped
	 */
	public boolean ship(String item) {
		return take(item);
	}

	@AutoMutex(on = "#item", block = "10s")
	public void add(String item) {
		int count = count(item);
		LockSupport.parkNanos(1_000_000L); // some work between the read and the write
		this.stock.put(item, count + 1);
	}

	@AutoMutex(on = "#item", block = "10s")
	private boolean take(String item) {
		int count = count(item);
		if (count == 0) {
			return false;
		}
		LockSupport.parkNanos(1_000_000L); // some work between the read and the write
		this.stock.put(item, count - 1);
		return true;
	}

	public int count(String item) {
		return this.stock.getOrDefault(item, 0);
	}

}
