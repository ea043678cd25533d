package dev.automutex.sample.bootdefault;

import dev.automutex.annotation.AutoMutex;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Service;

/**
 * Sells the seats of a show from counters kept in Redis, with a plain read-then-write
 * that is only safe because every instance holds the show's mutex while it runs.
 */
@Service
public class TicketOffice {

	private final StringRedisTemplate redis;

	private final SaleObserver observer;

	public TicketOffice(StringRedisTemplate redis, ObjectProvider<SaleObserver> observer) {
		this.redis = redis;
		this.observer = observer.getIfAvailable(() -> SaleObserver.NONE);
	}

	/**
	 * Put a show on sale with a number of seats, none sold.
	 * @param show the show
	 * @param seats how many seats it has
	 */
	public void open(String show, int seats) {
		this.redis.opsForValue().set(left(show), String.valueOf(seats));
		this.redis.opsForValue().set(sold(show), "0");
	}

	/**
	 * Sell one seat of a show, if any is left.
	 * @param show the show
	 * @return whether a seat was sold
	 */
	@AutoMutex(on = "#show", block = "10s")
	public boolean sell(String show) {
		this.observer.entered(show);
		try {
			int left = read(left(show));
			if (left == 0) {
				return false;
			}
			this.redis.opsForValue().set(left(show), String.valueOf(left - 1));
			this.redis.opsForValue().set(sold(show), String.valueOf(read(sold(show)) + 1));
			return true;
		}
		finally {
			this.observer.left(show);
		}
	}

	/**
	 * How many seats of a show are left.
	 * @param show the show
	 * @return the seats left
	 */
	public int seatsLeft(String show) {
		return read(left(show));
	}

	/**
	 * How many seats of a show were sold, by every instance.
	 * @param show the show
	 * @return the seats sold
	 */
	public int seatsSold(String show) {
		return read(sold(show));
	}

	private int read(String key) {
		String value = this.redis.opsForValue().get(key);
		return (value != null) ? Integer.parseInt(value) : 0;
	}

	private static String left(String show) {
		return "seats:left:" + show;
	}

	private static String sold(String show) {
		return "seats:sold:" + show;
	}

}
