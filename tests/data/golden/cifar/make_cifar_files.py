# Small CIFAR batch files in the layouts users have, for tests/data/test_cifar.cpp:
#   cifar-10-batches-py/   data_batch_1..5, test_batch   (NumPy arrays in pickles:
#                          data_batch_1 as Python 2's cPickle wrote the real files
#                          (str = SHORT_BINSTRING/BINSTRING), 2-4 by Python 3 protocol 2
#                          (bytes via _codecs.encode), 5 and test_batch protocol 4)
#   cifar-100-python/      train, test  (fine_labels and coarse_labels)
#   cifar-10-batches-bin/  data_batch_1..5.bin, test_batch.bin  (1 label byte + 3072 bytes)
#   bad/                   a truncated batch, a pickle calling os.system, a wrong label count,
#                          a truncated binary batch
# Record r of batch b: label (3 b + r) % classes, pixel k = (5 b + 7 r + 3 k) % 256.
# Run: python3 make_cifar_files.py (Debian's python3-numpy).
import io, os, pickle
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
RECORDS = 2

def batch(b, classes):
    data = np.array([[(5 * b + 7 * r + 3 * k) % 256 for k in range(3072)] for r in range(RECORDS)], dtype=np.uint8)
    labels = [(3 * b + r) % classes for r in range(RECORDS)]
    return data, labels

class Py2Pickler(pickle._Pickler):
    """Writes bytes as Python 2's str (SHORT_BINSTRING / BINSTRING), as the real CIFAR files hold them."""
    dispatch = dict(pickle._Pickler.dispatch)
    def save_py2_str(self, obj):
        if len(obj) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(obj)]) + obj)
        else:
            self.write(pickle.BINSTRING + len(obj).to_bytes(4, "little") + obj)
        self.memoize(obj)
    dispatch[bytes] = save_py2_str

def write(path, obj, protocol, py2=False):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        if py2:
            Py2Pickler(fh, protocol=2).dump(obj)
        else:
            pickle.dump(obj, fh, protocol=protocol)

def cifar10():
    for b in range(1, 7):
        data, labels = batch(b, 10)
        name = "data_batch_%d" % b if b <= 5 else "test_batch"
        d = {b"batch_label": b"training batch %d of 5" % b, b"labels": labels, b"data": data,
             b"filenames": [b"img_%d.png" % r for r in range(RECORDS)]}
        write(os.path.join(HERE, "cifar-10-batches-py", name), d, 2 if b <= 4 else 4, py2=(b == 1))
        os.makedirs(os.path.join(HERE, "cifar-10-batches-bin"), exist_ok=True)
        with open(os.path.join(HERE, "cifar-10-batches-bin", name + ".bin"), "wb") as fh:
            for r in range(RECORDS):
                fh.write(bytes([labels[r]]) + data[r].tobytes())
    return batch(1, 10)

def cifar100():
    for b, name in [(7, "train"), (8, "test")]:
        data, labels = batch(b, 100)
        d = {"filenames": ["a.png", "b.png"], "batch_label": "x", "fine_labels": labels,
             "coarse_labels": [l // 5 for l in labels], "data": data}
        write(os.path.join(HERE, "cifar-100-python", name), d, 2, py2=True)

class Evil:
    def __reduce__(self):
        return (os.system, ("echo this must never run",))

def bad():
    data, labels = batch(1, 10)
    good = io.BytesIO()
    pickle.dump({b"data": data, b"labels": labels}, good, protocol=2)
    os.makedirs(os.path.join(HERE, "bad"), exist_ok=True)
    with open(os.path.join(HERE, "bad", "truncated_batch"), "wb") as fh:
        fh.write(good.getvalue()[: len(good.getvalue()) // 2])
    write(os.path.join(HERE, "bad", "forbidden_global"), {b"data": Evil(), b"labels": labels}, 2)
    write(os.path.join(HERE, "bad", "wrong_label_count"), {b"data": data, b"labels": labels + [3]}, 2)
    with open(os.path.join(HERE, "bad", "truncated_batch.bin"), "wb") as fh:
        fh.write((bytes([labels[0]]) + data[0].tobytes())[:-5])

cifar10()
cifar100()
bad()
