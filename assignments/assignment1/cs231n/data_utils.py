"""Loaders for the datasets used in the assignments."""

import os
import pickle

import numpy as np


def load_pickle(f):
    """
    Unpickle one object from an open binary file.

    The CIFAR-10 batches were pickled by Python 2; the latin1 encoding reads
    their byte strings back without errors.

    Inputs:
    - f: file object opened in binary mode.

    Returns:
    - the unpickled object.
    """
    return pickle.load(f, encoding="latin1")


def _lookup(record, key):
    """Value of a pickled dict entry whose key may be a str or bytes."""
    if key in record:
        return record[key]
    return record[key.encode("ascii")]


def load_CIFAR_batch(filename):
    """
    Load one batch file of CIFAR-10 (python pickle format).

    Inputs:
    - filename: path of the batch file, e.g. '.../data_batch_1'.

    Returns a tuple of:
    - X: float array of shape (N, 32, 32, 3), the images (N = 10000 for a
      standard batch).
    - Y: integer array of shape (N,), the labels.
    """
    with open(filename, "rb") as f:
        datadict = load_pickle(f)
    data = np.asarray(_lookup(datadict, "data"))
    labels = _lookup(datadict, "labels")
    num_images = data.shape[0]
    X = data.reshape(num_images, 3, 32, 32).transpose(0, 2, 3, 1).astype("float")
    Y = np.array(labels)
    return X, Y


def load_CIFAR10(ROOT):
    """
    Load all of CIFAR-10.

    Inputs:
    - ROOT: folder holding data_batch_1 to data_batch_5 and test_batch.

    Returns a tuple of:
    - Xtr: float array of shape (50000, 32, 32, 3), training images.
    - Ytr: integer array of shape (50000,), training labels.
    - Xte: float array of shape (10000, 32, 32, 3), test images.
    - Yte: integer array of shape (10000,), test labels.
    """
    xs = []
    ys = []
    for b in range(1, 6):
        X, Y = load_CIFAR_batch(os.path.join(ROOT, "data_batch_%d" % b))
        xs.append(X)
        ys.append(Y)
    Xtr = np.concatenate(xs)
    Ytr = np.concatenate(ys)
    Xte, Yte = load_CIFAR_batch(os.path.join(ROOT, "test_batch"))
    return Xtr, Ytr, Xte, Yte


def get_CIFAR10_data(
    num_training=49000, num_validation=1000, num_test=1000, subtract_mean=True
):
    """
    Load CIFAR-10 from cs231n/datasets/cifar-10-batches-py and prepare it
    for the classifiers.

    The first num_training training images form the training set, the next
    num_validation the validation set, and the first num_test test images
    the test set. When subtract_mean is True the mean training image is
    subtracted from all three. Images are returned channels first.

    Inputs:
    - num_training: number of training images.
    - num_validation: number of validation images.
    - num_test: number of test images.
    - subtract_mean: whether to subtract the mean training image.

    Returns a dictionary with:
    - 'X_train': array of shape (num_training, 3, 32, 32)
    - 'y_train': array of shape (num_training,)
    - 'X_val': array of shape (num_validation, 3, 32, 32)
    - 'y_val': array of shape (num_validation,)
    - 'X_test': array of shape (num_test, 3, 32, 32)
    - 'y_test': array of shape (num_test,)
    """
    cifar10_dir = os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "datasets", "cifar-10-batches-py"
    )
    X_train, y_train, X_test, y_test = load_CIFAR10(cifar10_dir)

    # Split off the validation set, then cut the others to size.
    val_indices = np.arange(num_training, num_training + num_validation)
    X_val = X_train[val_indices]
    y_val = y_train[val_indices]
    X_train = X_train[:num_training]
    y_train = y_train[:num_training]
    X_test = X_test[:num_test]
    y_test = y_test[:num_test]

    if subtract_mean:
        mean_image = np.mean(X_train, axis=0)
        X_train = X_train - mean_image
        X_val = X_val - mean_image
        X_test = X_test - mean_image

    # Channels first: (N, 32, 32, 3) -> (N, 3, 32, 32).
    X_train = X_train.transpose(0, 3, 1, 2).copy()
    X_val = X_val.transpose(0, 3, 1, 2).copy()
    X_test = X_test.transpose(0, 3, 1, 2).copy()

    return {
        "X_train": X_train,
        "y_train": y_train,
        "X_val": X_val,
        "y_val": y_val,
        "X_test": X_test,
        "y_test": y_test,
    }


def _read_image(filename):
    """
    Read an image file (JPEG, PNG, ...) as a uint8 array of shape (H, W, 3).

    NumPy cannot decode JPEG, so this needs Pillow; it is imported only
    here so that the rest of the package works without it.
    """
    try:
        from PIL import Image
    except ImportError as err:
        raise ImportError(
            "Reading image files needs Pillow (pip install pillow)."
        ) from err
    with Image.open(filename) as image:
        return np.asarray(image.convert("RGB"), dtype=np.uint8)


def _read_images(filenames, dtype):
    """Read images into an array of shape (N, 3, H, W) of the given dtype."""
    images = [_read_image(name).transpose(2, 0, 1) for name in filenames]
    return np.stack(images).astype(dtype)


def load_tiny_imagenet(path, dtype=np.float32, subtract_mean=True):
    """
    Load TinyImageNet. Its variants (TinyImageNet-100-A, -100-B, -200) share
    one layout:

        path/wnids.txt                       one WordNet id per line
        path/words.txt                       "wnid<TAB>name, name, ..."
        path/train/<wnid>/<wnid>_boxes.txt   "filename<TAB>box..." per image
        path/train/<wnid>/images/<filename>
        path/val/val_annotations.txt         "filename<TAB>wnid<TAB>box..."
        path/val/images/<filename>
        path/test/images/<filename>
        path/test/test_annotations.txt       optional, as for val

    Reading the images needs Pillow.

    Inputs:
    - path: folder of the dataset.
    - dtype: numpy dtype of the returned images.
    - subtract_mean: whether to subtract the mean training image.

    Returns a dictionary with:
    - class_names: list; class_names[i] is the list of names of class i.
    - X_train: array of shape (N_tr, 3, 64, 64), training images.
    - y_train: integer array of shape (N_tr,), training labels.
    - X_val: array of shape (N_val, 3, 64, 64), validation images.
    - y_val: integer array of shape (N_val,), validation labels.
    - X_test: array of shape (N_test, 3, 64, 64), test images.
    - y_test: integer array of shape (N_test,), test labels, or None when
      the test labels are not available.
    - mean_image: array of shape (3, 64, 64), the mean training image.
    """
    with open(os.path.join(path, "wnids.txt"), "r") as f:
        wnids = [line.strip() for line in f if line.strip()]
    wnid_to_label = {wnid: i for i, wnid in enumerate(wnids)}

    # Human-readable names of every class.
    names_of = {}
    with open(os.path.join(path, "words.txt"), "r") as f:
        for line in f:
            if "\t" not in line:
                continue
            wnid, words = line.rstrip("\n").split("\t", 1)
            names_of[wnid] = [w.strip() for w in words.split(",")]
    class_names = [names_of.get(wnid, [wnid]) for wnid in wnids]

    # Training images, one folder per class.
    train_files = []
    y_train = []
    for wnid in wnids:
        class_dir = os.path.join(path, "train", wnid)
        with open(os.path.join(class_dir, "%s_boxes.txt" % wnid), "r") as f:
            names = [line.split("\t")[0] for line in f if line.strip()]
        train_files.extend(os.path.join(class_dir, "images", n) for n in names)
        y_train.extend([wnid_to_label[wnid]] * len(names))
    X_train = _read_images(train_files, dtype)
    y_train = np.array(y_train, dtype=np.int64)

    def read_annotated(split):
        annotation_file = os.path.join(path, split, "%s_annotations.txt" % split)
        with open(annotation_file, "r") as f:
            rows = [line.split("\t") for line in f if line.strip()]
        files = [os.path.join(path, split, "images", row[0]) for row in rows]
        labels = np.array([wnid_to_label[row[1]] for row in rows], dtype=np.int64)
        return _read_images(files, dtype), labels

    X_val, y_val = read_annotated("val")

    # Test images; their labels ship only with some copies of the dataset.
    if os.path.isfile(os.path.join(path, "test", "test_annotations.txt")):
        X_test, y_test = read_annotated("test")
    else:
        test_dir = os.path.join(path, "test", "images")
        test_files = [os.path.join(test_dir, n) for n in sorted(os.listdir(test_dir))]
        X_test = _read_images(test_files, dtype)
        y_test = None

    mean_image = X_train.mean(axis=0)
    if subtract_mean:
        X_train = X_train - mean_image[None]
        X_val = X_val - mean_image[None]
        X_test = X_test - mean_image[None]

    return {
        "class_names": class_names,
        "X_train": X_train,
        "y_train": y_train,
        "X_val": X_val,
        "y_val": y_val,
        "X_test": X_test,
        "y_test": y_test,
        "mean_image": mean_image,
    }


def load_models(models_dir):
    """
    Load the pickled models in a folder. Files that cannot be unpickled are
    skipped.

    Inputs:
    - models_dir: folder of pickle files, each a dictionary whose 'model'
      entry is a model.

    Returns:
    - models: dictionary mapping each file name to its model.
    """
    models = {}
    for model_file in sorted(os.listdir(models_dir)):
        full_path = os.path.join(models_dir, model_file)
        if not os.path.isfile(full_path):
            continue
        with open(full_path, "rb") as f:
            try:
                models[model_file] = load_pickle(f)["model"]
            except (pickle.UnpicklingError, EOFError, KeyError, TypeError):
                continue
    return models


def load_imagenet_val(num=None):
    """
    Load the small ImageNet validation sample that ships with the course
    (cs231n/datasets/imagenet_val_25.npz, arrays X, y and label_map).

    Inputs:
    - num: number of images to return (default: all of them).

    Returns a tuple of:
    - X: array of shape (num, 224, 224, 3), the images.
    - y: integer array of shape (num,), the labels.
    - class_names: dictionary mapping an integer label to a class name.
    """
    imagenet_fn = os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "datasets", "imagenet_val_25.npz"
    )
    if not os.path.isfile(imagenet_fn):
        raise FileNotFoundError(
            "%s not found; download it with the get_imagenet_val.sh script "
            "in cs231n/datasets" % imagenet_fn
        )
    with np.load(imagenet_fn, allow_pickle=True) as f:
        X = f["X"]
        y = f["y"]
        class_names = f["label_map"].item()
    if num is not None:
        X = X[:num]
        y = y[:num]
    return X, y, class_names
