"""Writes the generated seeds of the fuzz corpus (dev tool; the fuzz targets
and CI only read the files). The other seeds are copies of test goldens.
    python3 tests/fuzz/corpus/make_seeds.py   (a Python with numpy, scipy and hnswlib)"""
import os
import struct
import zipfile

import numpy as np
import scipy.io

here = os.path.dirname(os.path.abspath(__file__))


def put(folder, name, data):
    with open(os.path.join(here, folder, name), "wb") as f:
        f.write(data)


# pickle: the data.pkl of a torch ZIP checkpoint, and small hand-made ones.
with zipfile.ZipFile(os.path.join(here, "pth", "views_zip.pth")) as z:
    put("pickle", "views_data.pkl", z.read([n for n in z.namelist() if n.endswith("data.pkl")][0]))
put("pickle", "dict_memo.pkl", b"\x80\x02}q\x00(X\x01\x00\x00\x00aK\x01X\x01\x00\x00\x00b]q\x01(K\x02h\x01eu.")
put("pickle", "cycle.pkl", b"\x80\x02]2a.")

# idx: byte 0 = images length / 4; a 2-image 2x2 file and its labels.
images = struct.pack(">IIII", 0x803, 2, 2, 2) + bytes(range(8))
labels = struct.pack(">II", 0x801, 2) + bytes([5, 7])
put("idx", "two_images", bytes([len(images) // 4]) + images + labels)

# SOP lists: train list, NUL, test list.
train = b"image_id class_id super_class_id path\n1 1 1 bicycle_final/111085122871_0.JPG\n"
test = b"image_id class_id super_class_id path\n1 2 1 bicycle_final/111265328556_0.JPG\n"
put("sop_lists", "one_each", train + b"\0" + test)

# In-shop list_eval_partition.txt: the real file's first lines (count, header, aligned columns), one of each status.
put("inshop_partition", "one_each", b"3\nimage_name item_id evaluation_status\n"
    b"img/WOMEN/Dresses/id_00000002/02_1_front.jpg                       id_00000002 train\n"
    b"img/WOMEN/Dresses/id_00000080/01_1_front.jpg                       id_00000080 query\n"
    b"img/WOMEN/Dresses/id_00000080/01_2_side.jpg                        id_00000080 gallery\n")

# cars_annos.mat: two annotations, v5 uncompressed and compressed.
dtype = [("relative_im_path", "O"), ("bbox_x1", "O"), ("bbox_y1", "O"), ("bbox_x2", "O"),
         ("bbox_y2", "O"), ("class", "O"), ("test", "O")]
annotations = np.zeros((1, 2), dtype=dtype)
for i in range(2):
    annotations[0, i] = ("car_ims/%06d.jpg" % (i + 1), np.array([[1]], np.uint8), np.array([[2]], np.uint8),
                         np.array([[30]], np.uint8), np.array([[20]], np.uint8),
                         np.array([[1 + 98 * i]], np.uint8), np.array([[i]], np.uint8))
for compressed in (False, True):
    path = os.path.join(here, "cars_mat", "annos_%s.mat" % ("v7" if compressed else "v5"))
    scipy.io.savemat(path, {"annotations": annotations}, do_compression=compressed)

# cifar: byte 0 = bit 0 binary batch (else python pickle), bit 1 CIFAR-100; one
# image each (the pickles as NumPy writes them, protocols 2 and 4).
import pickle
pixels = (np.arange(3072) * 7 % 256).astype(np.uint8).reshape(1, 3072)
put("cifar", "python10_p2", b"\x00" + pickle.dumps({"batch_label": "testing batch 1 of 1", "labels": [3],
                                                   "data": pixels, "filenames": ["a.png"]}, protocol=2))
put("cifar", "python10_p4", b"\x00" + pickle.dumps({b"labels": [9], b"data": pixels}, protocol=4))
put("cifar", "python100_p2", b"\x02" + pickle.dumps({"fine_labels": [25], "coarse_labels": [1], "data": pixels},
                                                    protocol=2))
put("cifar", "binary10", b"\x01" + bytes([3]) + pixels.tobytes())
put("cifar", "binary100", b"\x03" + bytes([1, 25]) + pixels.tobytes())

# hnsw: the graph of fuzz_hnsw.cpp's 24 rows (D = 8, M = 4) in hnswlib's file
# format, as idml's `--index hnsw` writes it (hnswlib's Python package, which
# writes the same format as Debian's libhnswlib-dev 0.6.2 reads).
import hnswlib
rows = np.array([[((i * 8 + c) * 5 % 11 - 5) / 4 for c in range(8)] for i in range(24)], np.float32)
graph = hnswlib.Index(space="ip", dim=8)
graph.init_index(max_elements=24, M=4, ef_construction=20, random_seed=100)
graph.add_items(rows, np.arange(24), num_threads=1)
graph.save_index(os.path.join(here, "hnsw", "rows24_d8_m4.bin"))
