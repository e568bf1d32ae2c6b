#!/usr/bin/python3
"""The Python peer of the side-by-side benchmark: Elastic's official client (Debian's python3-elasticsearch 7.17)
reading every alert of an index with a point in time and search_after, 1,000 hits a page, as a Python user writes it.

    python_pit.py <lab connection file> <index> <passes> [first]

Prints one JSON line per pass: alerts, High alerts (the field it reads), start/first/end as Unix milliseconds, and the
process's peak resident set. "first" stops at the first alert (the time-to-first-alert run)."""
import json
import resource
import sys
import time


def now_ms():
    return time.time() * 1000.0


def main():
    started = now_ms()
    connection_file, index, passes = sys.argv[1], sys.argv[2], int(sys.argv[3])
    first_only = len(sys.argv) > 4 and sys.argv[4] == "first"
    try:
        from elasticsearch import Elasticsearch
    except ImportError:
        print(json.dumps({"error": "python3-elasticsearch is not installed (apt-get install python3-elasticsearch)"}))
        return 3
    with open(connection_file, encoding="utf-8") as f:
        elastic = json.load(f)["Elastic"]
    es = Elasticsearch(elastic["Uri"], http_auth=(elastic["User"], elastic["Password"]))
    ready = now_ms()
    for _ in range(passes):
        start = now_ms()
        first = None
        alerts = high = 0
        pit = es.open_point_in_time(index=index, keep_alive="2m")["id"]
        after = None
        while True:
            body = {
                "size": 1000,
                "pit": {"id": pit, "keep_alive": "2m"},
                "sort": [{"@timestamp": {"order": "asc", "unmapped_type": "date"}}],
                "track_total_hits": False,
            }
            if after is not None:
                body["search_after"] = after
            page = es.search(body=body)
            hits = page["hits"]["hits"]
            if hits and first is None:
                first = now_ms()
            for hit in hits:
                alerts += 1
                if hit["_source"].get("severity") == "high":
                    high += 1
                if first_only:
                    break
            pit = page.get("pit_id", pit)
            if first_only or len(hits) < 1000:
                break
            after = hits[-1]["sort"]
        es.close_point_in_time(body={"id": pit})
        end = now_ms()
        print(json.dumps({
            "alerts": alerts, "matched": high, "processStart": started, "ready": ready,
            "start": start, "first": first, "end": end,
            # ru_maxrss is in kilobytes on Linux.
            "peakWorkingSet": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        }), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
