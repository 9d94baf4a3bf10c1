// The seller console's photos of a product: upload by file picker or drag and drop with a
// progress bar, reorder, alt text, delete. An upload sends the file itself as the body.
import { ApiError, describe, session } from "./api.js";
import { photo } from "./catalog.js";
import { attempt, errorArea, field, h, input, say } from "./ui.js";

const TYPES = ["image/jpeg", "image/png", "image/webp"];
const MAX_BYTES = 10 * 1024 * 1024;

/** POSTs `file` as the body, reporting progress to `bar`; resolves with the new photo. */
function send(productId, file, bar) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", `/products/${encodeURIComponent(productId)}/images`);
    request.setRequestHeader("Authorization", "Bearer " + session("seller").token);
    request.setRequestHeader("Content-Type", file.type);
    request.setRequestHeader("Accept", "application/json");
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) bar.value = event.loaded / event.total;
    });
    request.addEventListener("load", () => {
      let answer = null;
      try {
        answer = JSON.parse(request.responseText);
      } catch {
        answer = { code: `http_${request.status}`, detail: `The shop answered HTTP ${request.status}.` };
      }
      if (request.status === 201) resolve(answer);
      else reject(new ApiError(answer, request.status));
    });
    request.addEventListener("error", () => reject(new ApiError(
      { code: "network", detail: "The shop could not be reached; check the connection and try again." }, 0)));
    request.send(file);
  });
}

/** The photo section of a product's edit page. */
export function photoManager(product, asSeller) {
  let images = product.images.slice();
  const list = h("ul", { class: "photos", id: "photos" });
  const problems = errorArea();
  const bar = h("progress", { id: "upload-progress", max: "1", value: "0", hidden: true });
  bar.setAttribute("aria-label", "Upload progress");
  const picker = input("photo-file", { type: "file", accept: TYPES.join(","), multiple: true });
  const drop = h("div", { class: "drop", id: "photo-drop" }, h("p", {}, "Drop photos here, or choose them:"),
    field("Photos (JPEG, PNG or WebP, up to 10 MiB each)", picker), bar);
  const path = `/products/${encodeURIComponent(product.id)}`;

  const arrange = (body, message) => attempt(null, async () => {
    const changed = await asSeller("PATCH", path, { body });
    images = changed.images;
    render();
    say(message, "success");
  }, problems);

  const render = () => {
    list.replaceChildren(...images.map((image, index) => {
      const alt = input(`alt-${image.id}`, { value: image.alt, maxlength: "500" });
      const saveAlt = h("button", { type: "button", class: "secondary" }, "Save alt text");
      saveAlt.addEventListener("click", () =>
        arrange({ imageAlt: { [image.id]: alt.value } }, "Alt text saved."));
      const move = (step, label) => {
        const button = h("button", { type: "button", class: "secondary", disabled: !images[index + step] }, label);
        button.setAttribute("aria-label", `${label} photo ${index + 1}`);
        button.addEventListener("click", () => {
          const order = images.map((i) => i.id);
          [order[index], order[index + step]] = [order[index + step], order[index]];
          arrange({ imageIds: order }, "Photos reordered.");
        });
        return button;
      };
      const remove = h("button", { type: "button", class: "danger" }, "Delete");
      remove.setAttribute("aria-label", `Delete photo ${index + 1}`);
      remove.addEventListener("click", () => attempt(remove, async () => {
        const changed = await asSeller("DELETE", `${path}/images/${encodeURIComponent(image.id)}`);
        images = changed.images;
        render();
        say("Photo deleted.", "success");
      }, problems));
      return h("li", { "data-image": image.id }, photo(image, { sizes: "9rem", alt: image.alt || `Photo ${index + 1}` }),
        field(`Alt text of photo ${index + 1}`, alt), saveAlt,
        h("div", { class: "actions" }, move(-1, "Earlier"), move(1, "Later"), remove));
    }));
    if (!images.length) list.append(h("li", { class: "muted" }, "No photos yet."));
  };

  const upload = async (files) => {
    problems.replaceChildren();
    for (const file of files) {
      if (!TYPES.includes(file.type) || file.size > MAX_BYTES) {
        problems.append(h("p", { class: "error", role: "alert" },
          `${file.name}: only JPEG, PNG or WebP photos of up to 10 MiB are taken.`));
        continue;
      }
      bar.hidden = false;
      bar.value = 0;
      try {
        images.push(await send(product.id, file, bar));
        render();
        say(`${file.name} uploaded.`, "success");
      } catch (error) {
        problems.append(h("p", { class: "error", role: "alert" },
          `${file.name}: ${error instanceof ApiError ? describe(error.problem) : error.message}`));
      } finally {
        bar.hidden = true;
      }
    }
  };
  picker.addEventListener("change", () => upload([...picker.files]).then(() => { picker.value = ""; }));
  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    upload([...event.dataTransfer.files]);
  });
  render();
  return h("section", { "aria-labelledby": "photos-heading" },
    h("h2", { id: "photos-heading" }, "Photos"), list, drop, problems);
}
