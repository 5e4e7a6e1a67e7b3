package dev.forensics.bootstrap;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A small weak-keyed identity map for facts that must travel from the thread that starts a request to the thread that
 * finishes it (the origin of an asynchronous call, the body subscriber an exchange created). Keys are weak, so a
 * request that fails half-way leaves nothing behind once collected; the size is capped and overflow is counted.
 */
public final class IdentityStash<V> {
    private static final int STRIPES = 16;

    private final Stripe<V>[] stripes;
    private final ReferenceQueue<Object> queue = new ReferenceQueue<>();
    private final int max;
    private final AtomicInteger size = new AtomicInteger();
    private final LongAdder dropped = new LongAdder();

    private static final class Entry<V> extends WeakReference<Object> {
        final int hash;
        final V value;
        Entry<V> next;

        Entry(Object key, ReferenceQueue<Object> q, int hash, V value) {
            super(key, q);
            this.hash = hash;
            this.value = value;
        }
    }

    private static final class Stripe<V> {
        @SuppressWarnings("unchecked")
        Entry<V>[] buckets = new Entry[16];

        int size;
    }

    @SuppressWarnings("unchecked")
    public IdentityStash(int max) {
        this.max = max;
        stripes = new Stripe[STRIPES];
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe<>();
        }
    }

    public void put(Object key, V value) {
        expunge();
        if (size.incrementAndGet() > max) {
            size.decrementAndGet();
            dropped.increment();
            return;
        }
        int hash = System.identityHashCode(key);
        Stripe<V> s = stripe(hash);
        synchronized (s) {
            removeLocked(s, key, hash); // a key is stashed once; the newer fact wins
            Entry<V>[] b = s.buckets;
            int i = hash & (b.length - 1);
            Entry<V> e = new Entry<>(key, queue, hash, value);
            e.next = b[i];
            b[i] = e;
            if (++s.size > b.length * 2) {
                grow(s);
            }
        }
        Reference.reachabilityFence(key);
    }

    public V remove(Object key) {
        if (key == null || size.get() == 0) {
            return null;
        }
        int hash = System.identityHashCode(key);
        Stripe<V> s = stripe(hash);
        V v;
        synchronized (s) {
            v = removeLocked(s, key, hash);
        }
        Reference.reachabilityFence(key);
        return v;
    }

    public V get(Object key) {
        if (key == null || size.get() == 0) {
            return null;
        }
        int hash = System.identityHashCode(key);
        Stripe<V> s = stripe(hash);
        V v = null;
        synchronized (s) {
            Entry<V>[] b = s.buckets;
            for (Entry<V> e = b[hash & (b.length - 1)]; e != null; e = e.next) {
                if (e.hash == hash && e.refersTo(key)) {
                    v = e.value;
                    break;
                }
            }
        }
        Reference.reachabilityFence(key);
        return v;
    }

    public int size() {
        return size.get();
    }

    public long dropped() {
        return dropped.sum();
    }

    private V removeLocked(Stripe<V> s, Object key, int hash) {
        Entry<V>[] b = s.buckets;
        int i = hash & (b.length - 1);
        Entry<V> prev = null;
        for (Entry<V> e = b[i]; e != null; prev = e, e = e.next) {
            if (e.hash == hash && e.refersTo(key)) {
                // Not cleared: an unlinked entry is garbage the collector never discovers, and Reference.clear is a
                // native call before JDK 23. If the key dies first, expunge finds the entry gone and skips it.
                unlink(s, i, prev, e);
                return e.value;
            }
        }
        return null;
    }

    private void unlink(Stripe<V> s, int i, Entry<V> prev, Entry<V> e) {
        if (prev == null) {
            s.buckets[i] = e.next;
        } else {
            prev.next = e.next;
        }
        s.size--;
        size.decrementAndGet();
    }

    @SuppressWarnings("unchecked")
    private void expunge() {
        for (Reference<?> ref; (ref = queue.poll()) != null; ) {
            Entry<V> dead = (Entry<V>) ref;
            Stripe<V> s = stripe(dead.hash);
            synchronized (s) {
                Entry<V>[] b = s.buckets;
                int i = dead.hash & (b.length - 1);
                Entry<V> prev = null;
                for (Entry<V> e = b[i]; e != null; prev = e, e = e.next) {
                    if (e == dead) {
                        unlink(s, i, prev, e);
                        break;
                    }
                }
            }
        }
    }

    private Stripe<V> stripe(int hash) {
        return stripes[(hash ^ (hash >>> 16)) & (STRIPES - 1)];
    }

    @SuppressWarnings("unchecked")
    private static <V> void grow(Stripe<V> s) {
        Entry<V>[] old = s.buckets;
        Entry<V>[] b = new Entry[old.length * 2];
        for (Entry<V> head : old) {
            Entry<V> e = head;
            while (e != null) {
                Entry<V> next = e.next;
                int i = e.hash & (b.length - 1);
                e.next = b[i];
                b[i] = e;
                e = next;
            }
        }
        s.buckets = b;
    }
}
