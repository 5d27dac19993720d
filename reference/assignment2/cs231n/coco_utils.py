"""The COCO captioning data: captions as word indices and precomputed image
features (VGG-16 fc7 activations, optionally reduced by PCA to 512
dimensions), as the course's download script lays them out."""

import json
import os

import numpy as np

dir_path = os.path.dirname(os.path.realpath(__file__))
BASE_DIR = os.path.join(dir_path, "datasets/coco_captioning")


def _read_h5(filename):
    """Every dataset of an HDF5 file, as a dict of numpy arrays."""
    import h5py  # only needed where the COCO files are used

    with h5py.File(filename, "r") as f:
        return {name: np.asarray(value) for name, value in f.items()}


def load_coco_data(base_dir=BASE_DIR, max_train=None, pca_features=True):
    """
    Load the COCO captioning dataset from base_dir.

    The folder holds coco2014_captions.h5 (captions and, for each caption,
    the index of its image), the image features of each split
    (train2014_vgg16_fc7.h5 and val2014_vgg16_fc7.h5, or their *_pca.h5
    versions), coco2014_vocab.json (the vocabulary) and train2014_urls.txt /
    val2014_urls.txt (the address of each image). Reading the .h5 files
    needs the h5py package.

    Inputs:
    - base_dir: folder of the files.
    - max_train: if not None, keep only this many training captions, drawn
      at random (the features of every image are kept).
    - pca_features: if True, load the PCA-reduced features (512 dimensions).

    Returns:
    - data: dictionary with
      - 'train_captions', 'val_captions': integer arrays of shape (N, T) of
        word indices.
      - 'train_image_idxs', 'val_image_idxs': integer arrays of shape (N,):
        the caption i describes the image train_image_idxs[i].
      - 'train_features', 'val_features': arrays of shape (num_images, D).
      - 'idx_to_word': list of the V words; 'word_to_idx': dictionary from
        each word to its index.
      - 'train_urls', 'val_urls': arrays of shape (num_images,) of strings.
    """
    print("base dir ", base_dir)
    data = _read_h5(os.path.join(base_dir, "coco2014_captions.h5"))

    suffix = "_pca" if pca_features else ""
    for split in ("train", "val"):
        features_file = os.path.join(base_dir, "%s2014_vgg16_fc7%s.h5" % (split, suffix))
        data["%s_features" % split] = _read_h5(features_file)["features"]

    with open(os.path.join(base_dir, "coco2014_vocab.json"), "r") as f:
        data.update(json.load(f))

    for split in ("train", "val"):
        with open(os.path.join(base_dir, "%s2014_urls.txt" % split), "r") as f:
            urls = [line.strip() for line in f]
        data["%s_urls" % split] = np.asarray(urls)

    if max_train is not None:
        num_train = data["train_captions"].shape[0]
        keep = np.random.randint(num_train, size=max_train)
        data["train_captions"] = data["train_captions"][keep]
        data["train_image_idxs"] = data["train_image_idxs"][keep]

    return data


def decode_captions(captions, idx_to_word):
    """
    Turn captions of word indices into strings. <NULL> words are left out
    and a caption ends at its first <END>.

    Inputs:
    - captions: integer array (or tensor) of shape (T,) for one caption or
      (N, T) for N captions.
    - idx_to_word: list (or dictionary) from word index to word.

    Returns:
    - a string for a single caption, else a list of N strings.
    """
    single = np.ndim(captions) == 1
    rows = [captions] if single else captions
    decoded = []
    for row in rows:
        words = []
        for index in row:
            word = idx_to_word[int(index)]
            if word == "<END>":
                break
            if word != "<NULL>":
                words.append(word)
        decoded.append(" ".join(words))
    return decoded[0] if single else decoded


def sample_coco_minibatch(data, batch_size=100, split="train"):
    """
    Draw a random minibatch of captions, with their image features and
    image addresses (captions drawn with replacement).

    Inputs:
    - data: dictionary from load_coco_data.
    - batch_size: int, number of captions.
    - split: 'train' or 'val'.

    Returns a tuple of:
    - captions: integer array of shape (batch_size, T).
    - image_features: array of shape (batch_size, D).
    - urls: array of shape (batch_size,) of the images' addresses (None
      when data holds no addresses).
    """
    num_captions = data["%s_captions" % split].shape[0]
    picked = np.random.choice(num_captions, batch_size)
    captions = data["%s_captions" % split][picked]
    image_idxs = data["%s_image_idxs" % split][picked]
    image_features = data["%s_features" % split][image_idxs]
    urls = None
    if "%s_urls" % split in data:
        urls = data["%s_urls" % split][image_idxs]
    return captions, image_features, urls
