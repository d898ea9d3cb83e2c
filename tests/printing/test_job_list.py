"""The print queue as people look through it, on SQLite and PostgreSQL: pages by status, till, printer and day; a
till's documents that did not print; the job of a document still waiting to print."""

from datetime import UTC, datetime, timedelta

from printing.job_list import Shown, jobs_page, unprinted, waiting_job
from printing.queue import enqueue
from printing.tables import PrintJob

NOON = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
TILL_DOCUMENTS = ("receipt", "refund slip")


async def job(ref: str, *, document: str = "receipt", till: str = "T1", printer: str = "receipt",
              status: str = "queued", attempts: int = 0, error: str = "", now: datetime = NOON,
              data: bytes = b"bytes", shop_id: int = 1) -> int:
    job_id = await enqueue(shop_id=shop_id, printer=printer, document=document, ref=ref, data=data, till=till,
                           now=now)
    await PrintJob.update({PrintJob.status: status, PrintJob.attempts: attempts, PrintJob.last_error: error}).where(
        PrintJob.id == job_id)
    return job_id


async def test_a_page_of_jobs_by_status_till_printer_and_day_newest_first(db):
    # given: jobs of two tills and the intake desk, over two days, printed, failed, tried and waiting
    printed = await job("S1", status="printed", attempts=1, now=NOON - timedelta(days=1))
    failed = await job("S2", status="failed", attempts=1, error="interrupted")
    tried = await job("S3", attempts=2, error="paper out")
    waiting = await job("S4")
    other_till = await job("S5", till="T2", status="printed", attempts=1)
    label = await job("D-1", document="label", till="", printer="label")
    await job("S6", shop_id=2)  # another shop's

    async def ids(**filters) -> list[int]:
        return [j.id for j in (await jobs_page(shop_id=1, **filters)).jobs]

    # then
    assert await ids() == [label, other_till, waiting, tried, failed, printed]
    assert await ids(shown=Shown.FAILED) == [tried, failed]
    assert await ids(shown=Shown.WAITING) == [label, waiting, tried]
    assert await ids(shown=Shown.PRINTED) == [other_till, printed]
    assert await ids(till="T1") == [waiting, tried, failed, printed]
    assert await ids(printer="label") == [label]
    assert await ids(start=NOON - timedelta(hours=12), end=NOON + timedelta(hours=12)) == [
        label, other_till, waiting, tried, failed]
    assert await ids(start=NOON - timedelta(days=2), end=NOON - timedelta(hours=12), till="T1") == [printed]
    assert (await jobs_page(shop_id=1, till="T1")).jobs[0].till == "T1"


async def test_pages_go_back_by_id_and_say_when_there_are_no_older_jobs(db):
    # given 7 jobs
    made = [await job(f"S{n}") for n in range(7)]
    # when read 3 at a time
    first = await jobs_page(shop_id=1, size=3)
    second = await jobs_page(shop_id=1, size=3, before_id=first.older)
    # and a job comes in meanwhile: the next page does not shift
    await job("S7")
    third = await jobs_page(shop_id=1, size=3, before_id=second.older)
    # then
    assert [j.id for j in first.jobs] == made[6:3:-1] and first.older == made[4]
    assert [j.id for j in second.jobs] == made[3:0:-1] and second.older == made[1]
    assert [j.id for j in third.jobs] == [made[0]] and third.older is None
    exactly = await jobs_page(shop_id=1, size=8)
    assert len(exactly.jobs) == 8 and exactly.older is None


async def test_a_till_lists_its_receipts_and_slips_that_went_wrong_until_they_have_printed(db):
    # given: at T1 a failed receipt, one tried and waiting again, one interrupted (an error, no attempt counted),
    # one waiting its first turn, one printed; a failed refund slip; and what is not T1's receipts or slips
    failed = await job("S1", status="failed", attempts=1, error="interrupted while printing")
    tried = await job("S2", attempts=3, error="paper out")
    interrupted = await job("S3", error="interrupted while printing")
    await job("S4")
    await job("S5", status="printed", attempts=1)
    slip = await job("R1", document="refund slip", status="failed", attempts=1, error="cover open")
    await job("S6", till="T2", status="failed", attempts=1)
    await job("T1-Z", document="till report", status="failed", attempts=1)
    await job("S7", status="failed", attempts=1, shop_id=2)

    async def listed() -> list[tuple[int, str, str]]:
        return [(j.id, j.ref, j.status) for j in await unprinted(shop_id=1, till="T1", documents=TILL_DOCUMENTS)]

    # then each shows by its own job, newest first
    assert await listed() == [(slip, "R1", "failed"), (interrupted, "S3", "queued"), (tried, "S2", "queued"),
                              (failed, "S1", "failed")]
    # when a copy of the failed receipt is asked for, it shows by the copy until that has printed
    copy = await job("S1", now=NOON + timedelta(minutes=5))
    assert (copy, "S1", "queued") in await listed() and (failed, "S1", "failed") not in await listed()
    await PrintJob.update({PrintJob.status: "printed", PrintJob.attempts: 1}).where(PrintJob.id.is_in([copy, slip]))
    # and the tried one prints at last
    await PrintJob.update({PrintJob.status: "printed"}).where(PrintJob.id == tried)
    assert await listed() == [(interrupted, "S3", "queued")]


async def test_the_waiting_job_of_a_document_is_its_newest_queued_or_printing_one(db):
    # given a receipt printed, then a copy queued on the till's printer
    await job("S1", status="printed", attempts=1)
    copy = await job("S1", printer="printer:3")
    # then
    assert (await waiting_job(shop_id=1, document="receipt", ref="S1")).id == copy
    assert (await waiting_job(shop_id=1, document="receipt", ref="S1", printer="printer:3")).id == copy
    assert await waiting_job(shop_id=1, document="receipt", ref="S1", printer="receipt") is None
    assert await waiting_job(shop_id=1, document="refund slip", ref="S1") is None
    assert await waiting_job(shop_id=2, document="receipt", ref="S1") is None
    await PrintJob.update({PrintJob.status: "printing"}).where(PrintJob.id == copy)
    assert (await waiting_job(shop_id=1, document="receipt", ref="S1")).id == copy
    await PrintJob.update({PrintJob.status: "printed"}).where(PrintJob.id == copy)
    assert await waiting_job(shop_id=1, document="receipt", ref="S1") is None


async def test_where_one_ref_covers_several_documents_only_the_same_bytes_are_the_same_document(db):
    # given two label batches of one donation: the first printed, the second waiting
    first = await job("D-1", document="label", till="", printer="label", status="printed", attempts=1, data=b"one")
    second = await job("D-1", document="label", till="", printer="label", data=b"two")
    # then the second is waiting, the first is not (its own bytes are not queued)
    found = dict(shop_id=1, document="label", ref="D-1", printer="label")
    assert (await waiting_job(**found, copy_of=second)).id == second
    assert await waiting_job(**found, copy_of=first) is None
    # and a copy of a receipt's bytes without the drawer kick (a reprint) is the same document
    kicked = await job("S9", status="failed", attempts=1, data=b"\x1b@text\x1bp\x002\x32")
    again = await job("S9", data=b"\x1b@text")
    assert (await waiting_job(shop_id=1, document="receipt", ref="S9", copy_of=kicked)).id == again
    assert await waiting_job(shop_id=1, document="receipt", ref="S9", copy_of=999_999) is None
